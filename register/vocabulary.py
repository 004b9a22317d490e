"""The register's fixed vocabularies: stored codes and their translated labels.

Codes are what the database, the CSV and the API carry; labels are what people read.
"""

from flask_babel import lazy_gettext as _l

# Each language by its own name, as the language switch shows it.
LANGUAGES = {"sv": "Svenska", "en": "English", "da": "Dansk"}

ROLES = {
    "official": _l("Official"),
    "registrar": _l("Registrar"),
    "admin": _l("Administrator"),
}

UNIT_KINDS = {
    "council": _l("Regional council"),
    "committee": _l("Committee"),
    "administration": _l("Administration"),
    "company": _l("Company or foundation"),
    "office": _l("Office"),
}

ORGANISATION_KINDS = {
    "company": _l("Company"),
    "trade_association": _l("Trade or industry association"),
    "ngo": _l("NGO or civil society"),
    "union": _l("Trade union"),
    "public_authority": _l("Public authority"),
    "government": _l("Government or ministry"),
    "eu_institution": _l("EU institution"),
    "local_government": _l("Municipality or region"),
    "academia": _l("Research or academia"),
    "consultancy": _l("Consultancy or PR firm"),
    "other": _l("Other"),
}

MEETING_FORMATS = {
    "in_person": _l("In person"),
    "video": _l("Video"),
    "phone": _l("Phone"),
    "written": _l("Written exchange"),
    "other": _l("Other"),
}

INITIATIVES = {
    "region": _l("The region"),
    "counterpart": _l("The counterpart"),
    "third_party": _l("A third party"),
}

# The parts of a record that the register's search looks in, as "found in" names them.
SEARCH_FIELDS = {
    "subject": _l("subject"),
    "summary": _l("summary"),
    "outcome": _l("outcome"),
    "organisations": _l("organisations"),
    "officials": _l("officials"),
    "issues": _l("issues"),
    "representatives": _l("representatives"),
    "client": _l("client"),
}

MEETING_STATUSES = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
    "withheld": _l("Withheld"),
}

ISSUE_STATUSES = {
    "active": _l("Active"),
    "concluded": _l("Concluded"),
}

REVISION_ACTIONS = {
    "publish": _l("Published"),
    "amend": _l("Amended"),
    "withdraw": _l("Withdrawn"),
    "withhold": _l("Withheld"),
}

# What the audit log records; each action's code is stored, its label shown.
AUDIT_ACTIONS = {
    "sign_in": _l("Signed in"),
    "sign_in_failed": _l("Failed sign-in"),
    "sign_out": _l("Signed out"),
    "password_change": _l("Changed password"),
    "two_factor_enable": _l("Switched on two-step sign-in"),
    "two_factor_enrol_failed": _l("Wrong code setting up two-step sign-in"),
    "two_factor_failed": _l("Wrong two-step sign-in code"),
    "two_factor_recovery_code_used": _l("Signed in with a recovery code"),
    "two_factor_recovery_codes_new": _l("Made new recovery codes"),
    "two_factor_disable": _l("Switched off two-step sign-in"),
    "two_factor_reset": _l("Reset two-step sign-in"),
    "meeting_create": _l("Created a meeting"),
    "meeting_save": _l("Saved a draft"),
    "meeting_publish": _l("Published a meeting"),
    "meeting_amend": _l("Amended a record"),
    "meeting_delete": _l("Deleted a draft"),
    "meeting_withdraw": _l("Withdrew a record"),
    "meeting_withhold": _l("Withheld a record"),
    "account_create": _l("Created an account"),
    "account_update": _l("Changed an account"),
    "account_deactivate": _l("Deactivated an account"),
    "account_reactivate": _l("Reactivated an account"),
    "unit_create": _l("Created a unit"),
    "unit_update": _l("Changed a unit"),
    "official_create": _l("Created an official"),
    "official_update": _l("Changed an official"),
    "issue_create": _l("Created an issue"),
    "issue_update": _l("Changed an issue"),
    "organisation_update": _l("Changed an organisation"),
    "organisation_merge": _l("Merged organisations"),
    "meetings_import": _l("Imported meetings"),
    "search_reindex": _l("Rebuilt the search index"),
}

# The fields of a meeting as kept in its revisions (Meeting.snapshot).
RECORD_FIELDS = {
    "held_on": _l("Date"),
    "start_time": _l("Start time"),
    "format": _l("Format"),
    "location": _l("Location"),
    "initiative": _l("Initiative"),
    "subject": _l("Subject"),
    "summary": _l("Summary"),
    "outcome": _l("Outcome or follow-up"),
    "representatives": _l("The counterpart's representatives"),
    "client": _l("On behalf of"),
    "document_links": _l("Documents exchanged"),
    "officials": _l("The region's participants"),
    "organisations": _l("Organisations met"),
    "issues": _l("Issues pursued"),
}
