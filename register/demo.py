"""Demo data: a believable Swedish region's register, generated deterministically from a seed.

The public bodies are real names; the companies, consultancies and people are invented,
and so are their organisation numbers (valid check digits, generated from the seed).
Meetings are written with Core bulk inserts and explicit ids, batch by batch, so that the
same code fills the 320-meeting demo in one transaction and a million-meeting benchmark
register in minutes with flat memory. Every published meeting gets its publish revision,
amended and withdrawn ones their later revisions too, exactly as the app would write them.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select, text

from .extensions import db
from .identifiers import generate_danish_cvr, generate_swedish_org_number
from .models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Setting,
    Unit,
    User,
    local_today,
    meeting_issue,
    meeting_official,
    meeting_organisation,
    utcnow,
)

DEFAULT_MEETINGS = 320
BATCH_SIZE = 5_000
HISTORY_DAYS = 730
DRAFT_SHARE = 1 / 16  # 20 of 320
RECENT_DRAFT_SHARE = 0.7  # the rest are overdue
LATE_SHARE = 0.12  # of published meetings, as are the next two
AMEND_SHARE = 1 / 30
WITHDRAW_SHARE = 1 / 150
DEMO_PASSWORD = "demo"

# The columns each generated meeting sets; any others keep their defaults.
MEETING_COLUMNS = (
    "id",
    *Meeting.DESCRIPTIVE_FIELDS,
    "document_links",
    "status",
    "created_by_id",
    "created_at",
    "published_at",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
)


class DemoDataError(RuntimeError):
    """Demo data would mix with a register that already holds records."""


UNITS = [
    ("Regionfullmäktige", "council"),
    ("Regionstyrelsen", "committee"),
    ("Hälso- och sjukvårdsstyrelsen", "committee"),
    ("Regionutvecklingsnämnden", "committee"),
    ("Kollektivtrafiknämnden", "committee"),
    ("Koncernkontoret", "administration"),
    ("Regiontrafik AB", "company"),
    ("Brysselkontoret", "office"),
]

OFFICIALS = [
    ("Karin Lindqvist", "regionråd, regionstyrelsens ordförande", "Regionstyrelsen"),
    ("Lena Holmberg", "oppositionsråd", "Regionstyrelsen"),
    (
        "Johan Ekström",
        "regionråd, ordförande i hälso- och sjukvårdsstyrelsen",
        "Hälso- och sjukvårdsstyrelsen",
    ),
    (
        "Amira Haddad",
        "regionråd, ordförande i regionutvecklingsnämnden",
        "Regionutvecklingsnämnden",
    ),
    (
        "Per-Olof Svensson",
        "regionråd, ordförande i kollektivtrafiknämnden",
        "Kollektivtrafiknämnden",
    ),
    ("Maria Sjöberg", "regionfullmäktiges ordförande", "Regionfullmäktige"),
    ("Anders Nyström", "regiondirektör", "Koncernkontoret"),
    ("Sofia Wallin", "kommunikationsdirektör", "Koncernkontoret"),
    ("Erik Bergqvist", "hälso- och sjukvårdsdirektör", "Koncernkontoret"),
    ("Helena Axelsson", "näringslivsdirektör", "Koncernkontoret"),
    ("Mikael Lundgren", "kollektivtrafikdirektör, vd för Regiontrafik AB", "Regiontrafik AB"),
    ("Elin Forsberg", "chef för Brysselkontoret", "Brysselkontoret"),
]

# (email, role, name, linked official)
ACCOUNTS = [
    ("admin@example.org", "admin", "Demoadministratör", None),
    ("registrar@example.org", "registrar", "Eva Lindahl", None),
    ("official@example.org", "official", "Amira Haddad", "Amira Haddad"),
]

GOV = "Regeringskansliet, Stockholm"
COMMISSION = "Europeiska kommissionen, Bryssel"


def _org(name, kind, country="SE", *, number=None, site=None, eu_id=False, venue=None, clients=()):
    """One organisation's description; `number` is "se" or "dk" for a generated one."""
    return dict(
        name=name,
        kind=kind,
        country=country,
        number=number,
        site=site,
        eu_id=eu_id,
        venue=venue,
        clients=list(clients),
    )


ORGANISATIONS = [
    # Government and ministries
    _org("Regeringskansliet – Landsbygds- och infrastrukturdepartementet", "government", venue=GOV),
    _org("Regeringskansliet – Socialdepartementet", "government", venue=GOV),
    _org("Regeringskansliet – Finansdepartementet", "government", venue="Rosenbad, Stockholm"),
    _org("Regeringskansliet – Klimat- och näringslivsdepartementet", "government", venue=GOV),
    _org("Regeringskansliet – Utbildningsdepartementet", "government", venue=GOV),
    _org(
        "Sveriges ständiga representation vid EU",
        "government",
        venue="Sveriges ständiga representation, Bryssel",
    ),
    _org("Samferdselsdepartementet", "government", "NO", venue="Samferdselsdepartementet, Oslo"),
    # Public authorities
    _org("Trafikverket", "public_authority", venue="Trafikverket, Göteborg"),
    _org("Energimyndigheten", "public_authority"),
    _org("Svenska kraftnät", "public_authority", venue="Svenska kraftnät, Sundbyberg"),
    _org("Socialstyrelsen", "public_authority"),
    _org("Läkemedelsverket", "public_authority"),
    _org("Tandvårds- och läkemedelsförmånsverket", "public_authority"),
    _org("E-hälsomyndigheten", "public_authority"),
    _org("Tillväxtverket", "public_authority"),
    _org(
        "Länsstyrelsen i Västra Götalands län", "public_authority", venue="Länsstyrelsen, Göteborg"
    ),
    _org("Myndigheten för samhällsskydd och beredskap", "public_authority"),
    _org("Statens geotekniska institut", "public_authority"),
    _org("Jernbanedirektoratet", "public_authority", "NO", venue="Jernbanedirektoratet, Oslo"),
    # EU institutions
    _org("Europeiska kommissionen – DG REGIO", "eu_institution", "BE", venue=COMMISSION),
    _org("Europeiska kommissionen – DG MOVE", "eu_institution", "BE", venue=COMMISSION),
    _org("Europeiska kommissionen – DG SANTE", "eu_institution", "BE", venue=COMMISSION),
    _org("Europeiska kommissionen – DG ENER", "eu_institution", "BE", venue=COMMISSION),
    _org("Europaparlamentet", "eu_institution", "BE", venue="Europaparlamentet, Bryssel"),
    _org("Regionkommittén", "eu_institution", "BE", venue="Regionkommittén, Bryssel"),
    _org("Europeiska investeringsbanken", "eu_institution", "LU"),
    # Municipalities and regions
    _org("Sveriges Kommuner och Regioner", "local_government", venue="SKR, Stockholm"),
    _org("Göteborgs Stad", "local_government", venue="Stadshuset, Göteborg"),
    _org("Borås Stad", "local_government", venue="Stadshuset, Borås"),
    _org("Härryda kommun", "local_government"),
    _org("Bollebygds kommun", "local_government"),
    _org("Trollhättans stad", "local_government"),
    _org("Region Halland", "local_government"),
    _org("Region Hovedstaden", "local_government", "DK", venue="Regionsgården, Hillerød"),
    _org("Østfold fylkeskommune", "local_government", "NO"),
    # Research and academia
    _org("Chalmers tekniska högskola", "academia", venue="Chalmers, Göteborg"),
    _org("Göteborgs universitet", "academia"),
    _org("Högskolan i Borås", "academia"),
    _org("Högskolan Väst", "academia"),
    _org("RISE Research Institutes of Sweden", "academia"),
    # Trade unions
    _org("Vårdförbundet", "union"),
    _org("Kommunal", "union"),
    _org("Sveriges läkarförbund", "union"),
    _org("Vision", "union"),
    _org("Seko", "union"),
    # Trade and industry associations
    _org(
        "Västsvenska Handelskammaren",
        "trade_association",
        venue="Västsvenska Handelskammaren, Göteborg",
    ),
    _org("Svenskt Näringsliv", "trade_association"),
    _org("Energiföretagen Sverige", "trade_association"),
    _org("Lif – de forskande läkemedelsföretagen", "trade_association"),
    _org("Swedish Medtech", "trade_association"),
    _org("Svensk Kollektivtrafik", "trade_association"),
    _org("Vätgas Sverige", "trade_association"),
    _org("Dansk Industri", "trade_association", "DK"),
    # Civil society
    _org("Naturskyddsföreningen", "ngo"),
    _org("Svenska Röda Korset", "ngo"),
    _org("Funktionsrätt Sverige", "ngo"),
    _org("PRO – Pensionärernas riksorganisation", "ngo"),
    _org("Resenärsforum", "ngo"),
    # Companies (invented)
    _org("Nordvind Energi AB", "company", number="se", site="nordvind-energi", eu_id=True),
    _org("Västkust Vätgas AB", "company", number="se", site="vastkust-vatgas"),
    _org("Sjuhärads Elnät AB", "company", number="se", site="sjuharads-elnat"),
    _org(
        "Kattegatt Stål AB",
        "company",
        number="se",
        site="kattegatt-stal",
        venue="Kattegatt Stål, Stenungsund",
    ),
    _org("Aurora Biotech AB", "company", number="se", site="aurora-biotech"),
    _org("Medilink Nordic AB", "company", number="se", site="medilink-nordic"),
    _org("Journalia Systems AB", "company", number="se", site="journalia"),
    _org("Bergmark Bygg & Anläggning AB", "company", number="se", site="bergmark-bygg"),
    _org("Norrlid Bussresor AB", "company", number="se", site="norrlid-buss"),
    _org("Ljungdal Läkemedelsdistribution AB", "company", number="se", site="ljungdal"),
    _org("Øresund Brint ApS", "company", "DK", number="dk", site="oresund-brint", eu_id=True),
    _org("Nordisk Sundhedsdata A/S", "company", "DK", number="dk", site="nordisk-sundhedsdata"),
    _org("Fjordlink AS", "company", "NO", site="fjordlink"),
    # Consultancies and PR firms (invented)
    _org(
        "Påverkan & Partner AB",
        "consultancy",
        number="se",
        site="paverkan-partner",
        eu_id=True,
        clients=["Nordvind Energi AB", "Västkust Vätgas AB"],
    ),
    _org(
        "Kustbanan Konsult AB",
        "consultancy",
        number="se",
        site="kustbanan-konsult",
        clients=["Bergmark Bygg & Anläggning AB"],
    ),
    _org(
        "Rosengren Public Affairs AB",
        "consultancy",
        number="se",
        site="rosengren-pa",
        eu_id=True,
        clients=["Aurora Biotech AB", "Medilink Nordic AB"],
    ),
    _org(
        "Nordisk Samhällsanalys AB",
        "consultancy",
        number="se",
        site="samhallsanalys",
        clients=["Journalia Systems AB"],
    ),
    _org(
        "Brussels Gateway Consulting SRL",
        "consultancy",
        "BE",
        site="brussels-gateway",
        eu_id=True,
        clients=["Nordvind Energi AB", "Kattegatt Stål AB"],
    ),
    # Other
    _org("Nordiska ministerrådet", "other", "DK"),
    _org("Greater Copenhagen", "other", "DK"),
    _org("Svinesundskommittén", "other", venue="Svinesundskommittén, Strömstad"),
    _org("Sahlgrenska Science Park", "other", venue="Sahlgrenska Science Park, Göteborg"),
]

# Each issue carries its agenda entry and the material its meetings are written from:
# the officials who usually lead, the likely counterparts, and text templates.
ISSUES = [
    dict(
        slug="dubbelspar-goteborg-boras",
        title="Dubbelspår Göteborg–Borås",
        summary=(
            "Den nya stambanan mellan Göteborg och Borås via Landvetter flygplats. Regionen "
            "driver att sträckan byggs som dubbelspår hela vägen och att finansieringen säkras i "
            "den nationella planen."
        ),
        outcome_sought=(
            "Full statlig finansiering i nationell plan för transportinfrastruktur, fastställd "
            "järnvägsplan och byggstart utan fler förseningar, med stationer i Mölnlycke, vid "
            "Landvetter flygplats och i Bollebygd."
        ),
        decision_makers=(
            "Regeringen (Landsbygds- och infrastrukturdepartementet), Trafikverket, riksdagens "
            "trafikutskott"
        ),
        unit="Regionutvecklingsnämnden",
        started_days_ago=1900,
        weight=14,
        leads=["Amira Haddad", "Karin Lindqvist", "Helena Axelsson", "Per-Olof Svensson"],
        counterparts=[
            "Trafikverket",
            "Regeringskansliet – Landsbygds- och infrastrukturdepartementet",
            "Borås Stad",
            "Göteborgs Stad",
            "Härryda kommun",
            "Bollebygds kommun",
            "Västsvenska Handelskammaren",
            "Kustbanan Konsult AB",
            "Bergmark Bygg & Anläggning AB",
            "Resenärsforum",
        ],
        related=["jarnvag-oslo-goteborg", "statlig-finansiering-kollektivtrafik"],
        subjects=[
            "Tidplan och finansiering för dubbelspåret Göteborg–Borås",
            "Järnvägsplanen för delen Mölnlycke–Bollebygd",
            "Stationslägen vid Landvetter flygplats och i Bollebygd",
            "Göteborg–Borås i nationell plan för transportinfrastruktur",
            "Möte med {org} om stambanan Göteborg–Borås",
        ],
        summaries=[
            (
                "Regionen redogjorde för behovet av dubbelspår hela vägen mellan Göteborg och "
                "Borås och för hur förseningarna påverkar pendlingen i Sjuhärad. {org} redogjorde "
                "för sin syn på tidplanen och kostnaderna."
            ),
            (
                "Genomgång av läget i järnvägsplanen för delen Mölnlycke–Bollebygd. Parterna "
                "diskuterade risken för fördyringar och hur kommunerna kan bidra till "
                "utvecklingen kring stationerna."
            ),
            (
                "Regionen framförde att sträckan måste behålla sin plats i den nationella planen "
                "och att en etappvis utbyggnad med enkelspår inte är ett alternativ."
            ),
            (
                "Samtal om stationen vid Landvetter flygplats och hur regionens busstrafik ska "
                "samordnas med tågtrafiken när banan öppnar."
            ),
        ],
        outcomes=[
            "Regionen skickar underlag om pendlingsflöden och regional nytta till {org}.",
            "Parterna ses igen när Trafikverkets nya kostnadsbedömning är klar.",
            "Regionen och kommunerna längs sträckan tar fram en gemensam skrivelse.",
        ],
    ),
    dict(
        slug="kompetensforsorjning-i-varden",
        title="Kompetensförsörjning i vården",
        summary=(
            "Brist på specialistsjuksköterskor, barnmorskor och vissa läkarspecialiteter. "
            "Regionen vill ha fler utbildningsplatser, betald specialistutbildning och bättre "
            "villkor för att behålla erfaren personal."
        ),
        outcome_sought=(
            "Fler statligt finansierade utbildningsplatser för specialistsjuksköterskor och "
            "barnmorskor i regionen, ett nationellt stöd för betald vidareutbildning och minskat "
            "beroende av bemanningsföretag."
        ),
        decision_makers=(
            "Regeringen (Socialdepartementet och Utbildningsdepartementet), lärosätena, "
            "Socialstyrelsen"
        ),
        unit="Hälso- och sjukvårdsstyrelsen",
        started_days_ago=1400,
        weight=12,
        leads=["Johan Ekström", "Erik Bergqvist", "Karin Lindqvist", "Sofia Wallin"],
        counterparts=[
            "Vårdförbundet",
            "Kommunal",
            "Sveriges läkarförbund",
            "Vision",
            "Socialstyrelsen",
            "Regeringskansliet – Socialdepartementet",
            "Regeringskansliet – Utbildningsdepartementet",
            "Göteborgs universitet",
            "Högskolan i Borås",
            "Högskolan Väst",
            "Sveriges Kommuner och Regioner",
        ],
        related=["digital-vardinformation"],
        subjects=[
            "Utbildningsplatser för specialistsjuksköterskor",
            "Arbetsmiljö och bemanning inom akutsjukvården",
            "Betald specialistutbildning för sjuksköterskor",
            "Minskat beroende av inhyrd personal",
            "Dialog med {org} om kompetensförsörjning",
        ],
        summaries=[
            (
                "{org} beskrev hur arbetsbelastningen påverkar medarbetarna och lyfte behovet av "
                "fler vägar till specialistutbildning med bibehållen lön."
            ),
            (
                "Regionen presenterade sin bemanningsplan och framförde behovet av fler "
                "utbildningsplatser för barnmorskor och specialistsjuksköterskor i regionen."
            ),
            (
                "Samtal om hur verksamhetsförlagd utbildning kan byggas ut på regionens sjukhus "
                "och om lärosätenas möjligheter att ta emot fler studenter."
            ),
            (
                "Parterna diskuterade regionens arbete för att fasa ut inhyrd personal och hur "
                "det påverkar schemaläggning och arbetsmiljö."
            ),
        ],
        outcomes=[
            "{org} återkommer med statistik över utbildningsplatser.",
            "En gemensam arbetsgrupp för verksamhetsförlagd utbildning tillsätts.",
            "Regionen lämnar ett inspel till Socialdepartementet.",
        ],
    ),
    dict(
        slug="eu-sammanhallningspolitik-2028-2034",
        title="EU:s sammanhållningspolitik 2028–2034",
        summary=(
            "EU:s nästa långtidsbudget och framtiden för regionalfonden. Regionen verkar för en "
            "sammanhållningspolitik med regionalt inflytande över prioriteringar och pengar, även "
            "i mer utvecklade regioner."
        ),
        outcome_sought=(
            "Att sammanhållningspolitiken finns kvar som egen politik för alla regioner, med "
            "regionala program och partnerskapsprincipen intakt, i stället för nationella planer "
            "utan regional förankring."
        ),
        decision_makers="Europeiska kommissionen, Europaparlamentet, rådet genom regeringen",
        unit="Regionstyrelsen",
        started_days_ago=650,
        weight=11,
        leads=["Elin Forsberg", "Amira Haddad", "Karin Lindqvist", "Helena Axelsson"],
        counterparts=[
            "Europeiska kommissionen – DG REGIO",
            "Europaparlamentet",
            "Regionkommittén",
            "Sveriges ständiga representation vid EU",
            "Regeringskansliet – Finansdepartementet",
            "Tillväxtverket",
            "Sveriges Kommuner och Regioner",
            "Region Hovedstaden",
            "Brussels Gateway Consulting SRL",
        ],
        related=["vatgasinfrastruktur"],
        subjects=[
            "Kommissionens förslag till nästa långtidsbudget",
            "Regionalfondens framtid efter 2027",
            "Partnerskapsprincipen i nationella och regionala planer",
            "Regionernas roll i sammanhållningspolitiken",
            "Möte med {org} om sammanhållningspolitiken",
        ],
        summaries=[
            (
                "Regionen presenterade sin position om sammanhållningspolitiken efter 2027 och "
                "betonade vikten av regionala program. {org} gav sin bild av förhandlingsläget."
            ),
            (
                "Genomgång av kommissionens förslag och vad en sammanslagning av fonderna i "
                "nationella planer skulle innebära för regionens utvecklingsarbete."
            ),
            (
                "Samtal om hur regioner i Norden kan samordna sina budskap inför förhandlingarna "
                "i rådet och parlamentet."
            ),
            (
                "Brysselkontoret informerade om tidplanen för förhandlingarna och om möjligheter "
                "att lämna synpunkter i det pågående arbetet."
            ),
        ],
        outcomes=[
            "Brysselkontoret sammanställer en gemensam nordisk position.",
            "Regionen skickar sin ståndpunkt skriftligt till {org}.",
            "Ny avstämning när parlamentets betänkande är klart.",
        ],
    ),
    dict(
        slug="elnatskapacitet-industrins-elektrifiering",
        title="Elnätskapacitet för industrins elektrifiering",
        summary=(
            "Industrin i regionen står inför omfattande elektrifiering, men elnätet räcker inte "
            "till. Regionen driver snabbare utbyggnad av stam- och regionnät och kortare "
            "tillståndsprocesser."
        ),
        outcome_sought=(
            "Beslutade förstärkningar av stamnätet till västra Sverige, kortare ledtider för "
            "nätanslutning och tydliga statliga prioriteringar för industrins omställning."
        ),
        decision_makers=(
            "Regeringen (Klimat- och näringslivsdepartementet), Svenska kraftnät, "
            "Energimarknadsinspektionen, länsstyrelsen"
        ),
        unit="Regionutvecklingsnämnden",
        started_days_ago=1100,
        weight=9,
        leads=["Helena Axelsson", "Amira Haddad", "Anders Nyström"],
        counterparts=[
            "Svenska kraftnät",
            "Energimyndigheten",
            "Regeringskansliet – Klimat- och näringslivsdepartementet",
            "Sjuhärads Elnät AB",
            "Kattegatt Stål AB",
            "Nordvind Energi AB",
            "Energiföretagen Sverige",
            "Västsvenska Handelskammaren",
            "Svenskt Näringsliv",
            "Påverkan & Partner AB",
            "Trollhättans stad",
            "Länsstyrelsen i Västra Götalands län",
        ],
        related=["vatgasinfrastruktur"],
        subjects=[
            "Kapacitetsbrist i elnätet i västra Sverige",
            "Nätanslutning för industrins elektrifiering",
            "Tillståndsprocesser för nya kraftledningar",
            "Havsbaserad vindkraft och anslutning till stamnätet",
            "Möte med {org} om elförsörjningen",
        ],
        summaries=[
            (
                "{org} redogjorde för hur bristen på nätkapacitet fördröjer investeringar i "
                "regionen. Regionen beskrev sitt arbete med en regional energiplan."
            ),
            (
                "Genomgång av planerade förstärkningar av stamnätet och av vilka industriprojekt "
                "som väntar på anslutning."
            ),
            (
                "Samtal om hur tillståndsprövningen för nya ledningar kan gå snabbare utan att "
                "avkall görs på samråd med berörda."
            ),
            (
                "Regionen framförde att elektrifieringen av industrin i Stenungsund och "
                "Trollhättan förutsätter besked om nätkapacitet inom två år."
            ),
        ],
        outcomes=[
            "{org} återkommer med kompletterande underlag.",
            "Regionen bjuder in till ett gemensamt möte med kommunerna.",
            "Frågan tas upp i regionens remissvar om elnätsutbyggnad.",
        ],
    ),
    dict(
        slug="regional-lakemedelsforsorjning",
        title="Regional läkemedelsförsörjning",
        summary=(
            "Brister i tillgången på vissa läkemedel och sjukvårdsprodukter. Regionen drev krav "
            "på statliga beredskapslager och tydligare ansvar vid bristsituationer. Avslutad "
            "sedan regeringen beslutat om en nationell beredskapsmodell."
        ),
        outcome_sought=(
            "En nationell modell för beredskapslager av läkemedel med statlig finansiering och "
            "tydlig ansvarsfördelning mellan stat, regioner och aktörer i distributionskedjan."
        ),
        decision_makers=(
            "Regeringen (Socialdepartementet), Läkemedelsverket, Tandvårds- och "
            "läkemedelsförmånsverket"
        ),
        unit="Hälso- och sjukvårdsstyrelsen",
        started_days_ago=1200,
        ended_days_ago=260,
        weight=6,
        leads=["Johan Ekström", "Erik Bergqvist"],
        counterparts=[
            "Läkemedelsverket",
            "Tandvårds- och läkemedelsförmånsverket",
            "Regeringskansliet – Socialdepartementet",
            "Lif – de forskande läkemedelsföretagen",
            "Ljungdal Läkemedelsdistribution AB",
            "Myndigheten för samhällsskydd och beredskap",
            "Socialstyrelsen",
            "Sveriges Kommuner och Regioner",
        ],
        related=["life-science-strategi"],
        subjects=[
            "Beredskapslager för läkemedel",
            "Restsituationer för antibiotika",
            "Ansvarsfördelning vid läkemedelsbrist",
            "Möte med {org} om läkemedelsförsörjningen",
        ],
        summaries=[
            (
                "Regionen beskrev konsekvenserna av de senaste restsituationerna för vården och "
                "framförde behovet av statligt finansierade beredskapslager."
            ),
            (
                "{org} redogjorde för sitt arbete med att förbättra informationen om kommande "
                "restnoteringar."
            ),
            (
                "Samtal om hur ansvaret mellan stat, regioner och distributörer bör fördelas när "
                "ett läkemedel inte går att få tag på."
            ),
        ],
        outcomes=[
            "{org} återkommer med en beskrivning av lagerhållningen.",
            "Regionens synpunkter lämnas i remissvaret på beredskapsutredningen.",
            "Ingen ytterligare uppföljning planerad.",
        ],
    ),
    dict(
        slug="vatgasinfrastruktur",
        title="Vätgasinfrastruktur för tunga transporter",
        summary=(
            "Tankstationer för vätgas längs stråken mellan Göteborg, Oslo och Köpenhamn. Regionen "
            "verkar för EU-stöd och nationell samordning så att tunga transporter kan ställa om."
        ),
        outcome_sought=(
            "Ett sammanhängande nät av tankstationer för vätgas längs E6 och E20 med stöd från "
            "EU:s fonder och nationell samordning av utbyggnaden."
        ),
        decision_makers=(
            "Europeiska kommissionen, regeringen (Klimat- och näringslivsdepartementet), "
            "Energimyndigheten"
        ),
        unit="Regionutvecklingsnämnden",
        started_days_ago=600,
        weight=7,
        leads=["Helena Axelsson", "Amira Haddad", "Elin Forsberg"],
        counterparts=[
            "Västkust Vätgas AB",
            "Øresund Brint ApS",
            "Vätgas Sverige",
            "Energimyndigheten",
            "Europeiska kommissionen – DG ENER",
            "Regeringskansliet – Klimat- och näringslivsdepartementet",
            "Chalmers tekniska högskola",
            "RISE Research Institutes of Sweden",
            "Påverkan & Partner AB",
            "Europeiska investeringsbanken",
            "Dansk Industri",
        ],
        related=[
            "elnatskapacitet-industrins-elektrifiering",
            "eu-sammanhallningspolitik-2028-2034",
        ],
        subjects=[
            "Tankstationer för vätgas längs E6",
            "EU-stöd till vätgasinfrastruktur",
            "Vätgas för tunga transporter i Skandinavien",
            "Möte med {org} om vätgas",
        ],
        summaries=[
            (
                "{org} gav sin syn på utbyggnaden av tankstationer för vätgas i Göteborgsområdet "
                "och på möjligheterna till EU-medel."
            ),
            (
                "Samtal om hur utbyggnaden längs E6 kan samordnas över gränserna till Norge och "
                "Danmark."
            ),
            (
                "Regionen redogjorde för sin strategi för fossilfria transporter och behovet av "
                "nationell samordning av vätgasutbyggnaden."
            ),
        ],
        outcomes=[
            "Regionen tar ställning till ett stödbrev efter intern beredning.",
            "{org} skickar projektbeskrivningen till regionen.",
            "Frågan följs upp vid nästa möte i det skandinaviska samarbetet.",
        ],
    ),
    dict(
        slug="e20-motesfri-vag",
        title="E20 – utbyggnad till mötesfri väg",
        summary=(
            "Utbyggnad av E20 mellan Alingsås och Hova till mötesfri väg. Avslutad sedan de "
            "återstående etapperna kommit med i den nationella planen."
        ),
        outcome_sought=(
            "Att återstående etapper på E20 genom regionen finns med och finansieras i den "
            "nationella planen för transportinfrastruktur."
        ),
        decision_makers="Regeringen (Landsbygds- och infrastrukturdepartementet), Trafikverket",
        unit="Regionutvecklingsnämnden",
        started_days_ago=1700,
        ended_days_ago=150,
        weight=5,
        leads=["Amira Haddad", "Karin Lindqvist", "Per-Olof Svensson"],
        counterparts=[
            "Trafikverket",
            "Regeringskansliet – Landsbygds- och infrastrukturdepartementet",
            "Västsvenska Handelskammaren",
            "Svenskt Näringsliv",
            "Naturskyddsföreningen",
            "Bergmark Bygg & Anläggning AB",
        ],
        related=["dubbelspar-goteborg-boras"],
        subjects=[
            "Återstående etapper på E20",
            "Trafiksäkerhet på E20 mellan Vårgårda och Skövde",
            "E20 i nationell plan för transportinfrastruktur",
        ],
        summaries=[
            (
                "Regionen framförde att olycksstatistiken på E20 motiverar att de återstående "
                "etapperna prioriteras. {org} beskrev sina utgångspunkter."
            ),
            (
                "Genomgång av vilka sträckor som fortfarande saknar finansiering och hur "
                "byggtiden kan kortas."
            ),
            (
                "{org} lyfte behovet av att utbyggnaden tar hänsyn till natur- och vattenmiljöer "
                "längs sträckan."
            ),
        ],
        outcomes=[
            "Regionen följer upp frågan i sitt yttrande över den nationella planen.",
            "{org} återkommer med en reviderad tidplan.",
            "Ingen ytterligare uppföljning planerad.",
        ],
    ),
    dict(
        slug="statlig-finansiering-kollektivtrafik",
        title="Statlig medfinansiering av kollektivtrafiken",
        summary=(
            "Kollektivtrafikens ekonomi efter pandemin och med stigande kostnader. Regionen "
            "driver att staten tar ett större ansvar för finansieringen av regional "
            "kollektivtrafik."
        ),
        outcome_sought=(
            "Ett långsiktigt statligt bidrag till regional kollektivtrafik och statlig "
            "medfinansiering av nya stadsbusslinjer och pendeltågstrafik."
        ),
        decision_makers=(
            "Regeringen (Landsbygds- och infrastrukturdepartementet och Finansdepartementet), "
            "riksdagen"
        ),
        unit="Kollektivtrafiknämnden",
        started_days_ago=1000,
        weight=8,
        leads=["Per-Olof Svensson", "Mikael Lundgren", "Karin Lindqvist"],
        counterparts=[
            "Regeringskansliet – Landsbygds- och infrastrukturdepartementet",
            "Regeringskansliet – Finansdepartementet",
            "Svensk Kollektivtrafik",
            "Sveriges Kommuner och Regioner",
            "Kommunal",
            "Norrlid Bussresor AB",
            "Resenärsforum",
            "PRO – Pensionärernas riksorganisation",
            "Funktionsrätt Sverige",
            "Göteborgs Stad",
        ],
        related=["dubbelspar-goteborg-boras"],
        subjects=[
            "Kollektivtrafikens ekonomi och statens ansvar",
            "Statsbidrag till regional kollektivtrafik",
            "Biljettpriser och resenärernas villkor",
            "Upphandling av busstrafik",
            "Möte med {org} om kollektivtrafiken",
        ],
        summaries=[
            (
                "Regionen redovisade hur kostnaderna för kollektivtrafiken ökat och vilka "
                "neddragningar som annars kan bli aktuella. {org} beskrev sina utgångspunkter."
            ),
            (
                "Samtal om resenärernas perspektiv på biljettpriser, tillgänglighet och turtäthet "
                "på landsbygden."
            ),
            (
                "Samtal om villkoren i kommande upphandlingar av busstrafik och om hur "
                "omställningen till eldrift ska finansieras."
            ),
            (
                "Regionen framförde behovet av ett långsiktigt statligt bidrag i stället för "
                "tillfälliga stöd."
            ),
        ],
        outcomes=[
            "Regiontrafik AB tar fram ett underlag om kostnadsutvecklingen.",
            "Frågan lyfts i Svensk Kollektivtrafiks gemensamma skrivelse.",
            "{org} återkommer efter budgetpropositionen.",
        ],
    ),
    dict(
        slug="life-science-strategi",
        title="Life science och kliniska studier",
        summary=(
            "Regionen vill stärka västra Sverige som life science-region genom fler kliniska "
            "studier, bättre tillgång till hälsodata för forskning och samverkan med företag och "
            "lärosäten."
        ),
        outcome_sought=(
            "Att den nationella life science-strategin ger regionerna resurser för kliniska "
            "studier och att regelverket för sekundär användning av hälsodata blir tydligare."
        ),
        decision_makers=(
            "Regeringen (Socialdepartementet och Klimat- och näringslivsdepartementet), "
            "Europeiska kommissionen"
        ),
        unit="Regionutvecklingsnämnden",
        started_days_ago=500,
        weight=7,
        leads=["Johan Ekström", "Helena Axelsson", "Erik Bergqvist"],
        counterparts=[
            "Aurora Biotech AB",
            "Medilink Nordic AB",
            "Lif – de forskande läkemedelsföretagen",
            "Swedish Medtech",
            "Sahlgrenska Science Park",
            "Göteborgs universitet",
            "Chalmers tekniska högskola",
            "Regeringskansliet – Klimat- och näringslivsdepartementet",
            "Regeringskansliet – Socialdepartementet",
            "Rosengren Public Affairs AB",
            "Europeiska kommissionen – DG SANTE",
        ],
        related=["digital-vardinformation", "regional-lakemedelsforsorjning"],
        subjects=[
            "Kliniska studier i regionens sjukvård",
            "Testbäddar för medicinteknik",
            "Hälsodata för forskning och innovation",
            "Möte med {org} om life science",
        ],
        summaries=[
            (
                "{org} presenterade sin verksamhet. Parterna diskuterade hur handläggningen av "
                "kliniska prövningar på regionens sjukhus kan gå snabbare."
            ),
            (
                "Samtal om hur regionens testbäddar kan göras mer tillgängliga för små och "
                "medelstora företag."
            ),
            (
                "Regionen redogjorde för sitt arbete med life science-strategin och behovet av "
                "ett tydligare regelverk för hälsodata."
            ),
        ],
        outcomes=[
            "Regionens enhet för kliniska studier kontaktar {org}.",
            "Frågan tas upp i regionens inspel till den nationella strategin.",
            "Ingen ytterligare uppföljning planerad.",
        ],
    ),
    dict(
        slug="digital-vardinformation",
        title="Sammanhållen digital vårdinformation",
        summary=(
            "Ett nytt journalsystem och möjligheten att dela vårdinformation mellan regioner, "
            "kommuner och privata vårdgivare. Regionen driver nationella standarder och en "
            "lagstiftning som medger informationsdelning."
        ),
        outcome_sought=(
            "Nationella standarder för informationsutbyte, en lagstiftning som tillåter "
            "sammanhållen vårdinformation över huvudmannagränser och statligt stöd till "
            "införandet."
        ),
        decision_makers=(
            "Regeringen (Socialdepartementet), E-hälsomyndigheten, riksdagens socialutskott"
        ),
        unit="Hälso- och sjukvårdsstyrelsen",
        started_days_ago=1300,
        weight=8,
        leads=["Erik Bergqvist", "Johan Ekström", "Anders Nyström"],
        counterparts=[
            "E-hälsomyndigheten",
            "Regeringskansliet – Socialdepartementet",
            "Journalia Systems AB",
            "Nordisk Sundhedsdata A/S",
            "Region Hovedstaden",
            "Sveriges Kommuner och Regioner",
            "Vårdförbundet",
            "Sveriges läkarförbund",
            "Funktionsrätt Sverige",
            "Nordisk Samhällsanalys AB",
        ],
        related=["kompetensforsorjning-i-varden", "life-science-strategi"],
        subjects=[
            "Informationsdelning mellan vårdgivare",
            "Införandet av nytt journalsystem",
            "Nationella standarder för vårdinformation",
            "Erfarenheter av journalsystem i Danmark",
            "Möte med {org} om digital vårdinformation",
        ],
        summaries=[
            (
                "{org} delade sina erfarenheter av nya journalsystem och vad införandet kräver av "
                "vårdens personal."
            ),
            (
                "Regionen beskrev läget i införandet av det nya journalsystemet och de juridiska "
                "hindren för att dela information med kommunerna."
            ),
            (
                "Samtal om hur patienternas tillgång till sin egen journal kan förbättras utan "
                "att integriteten försämras."
            ),
            (
                "Genomgång av arbetet med nationella standarder och hur regionens system ska "
                "anpassas till dem."
            ),
        ],
        outcomes=[
            "Regionen lämnar synpunkter på förslaget till nationella standarder.",
            "{org} bjuder in till ett studiebesök.",
            "Ny avstämning efter nästa införandeetapp.",
        ],
    ),
    dict(
        slug="kustskydd-klimatanpassning",
        title="Kustskydd och klimatanpassning",
        summary=(
            "Stigande havsnivåer, skred och översvämningar längs kusten och Göta älv. Regionen "
            "verkar för ett tydligare statligt ansvar och finansiering av skyddsåtgärder."
        ),
        outcome_sought=(
            "Statlig medfinansiering av kustskydd och skredförebyggande åtgärder längs Göta älv "
            "samt en nationell samordning av klimatanpassningen."
        ),
        decision_makers=(
            "Regeringen (Klimat- och näringslivsdepartementet), Statens geotekniska institut, "
            "länsstyrelsen"
        ),
        unit="Regionstyrelsen",
        started_days_ago=900,
        weight=5,
        leads=["Karin Lindqvist", "Lena Holmberg", "Anders Nyström"],
        counterparts=[
            "Statens geotekniska institut",
            "Myndigheten för samhällsskydd och beredskap",
            "Länsstyrelsen i Västra Götalands län",
            "Naturskyddsföreningen",
            "Göteborgs Stad",
            "Svenska Röda Korset",
            "Regeringskansliet – Klimat- och näringslivsdepartementet",
            "Chalmers tekniska högskola",
            "Region Halland",
        ],
        related=[],
        subjects=[
            "Skredrisker längs Göta älv",
            "Kustskydd och stigande havsnivåer",
            "Klimatanpassning av vårdens fastigheter",
            "Möte med {org} om klimatanpassning",
        ],
        summaries=[
            (
                "Genomgång av nya kartor över skredrisker längs Göta älv. Regionen lyfte vad "
                "riskerna betyder för vägar, järnväg och sjukhus, och {org} beskrev sina "
                "prioriteringar."
            ),
            (
                "Samtal om ansvarsfördelningen mellan stat, kommuner och fastighetsägare när "
                "kusten behöver skyddas."
            ),
            (
                "Regionen redogjorde för sitt arbete med att klimatanpassa vårdens fastigheter "
                "och efterfrågade bättre underlag om översvämningsrisker."
            ),
        ],
        outcomes=[
            "Underlaget skickas till regionens fastighetsavdelning.",
            "Frågan tas upp i länets samverkansgrupp för klimatanpassning.",
            "Regionen återkommer med en lista över prioriterade åtgärder.",
        ],
    ),
    dict(
        slug="jarnvag-oslo-goteborg",
        title="Järnvägsförbindelse Oslo–Göteborg",
        summary=(
            "Snabbare och tätare tågtrafik mellan Oslo och Göteborg. Regionen samarbetar med "
            "norska parter för att få sträckan prioriterad i både svensk och norsk planering och "
            "i EU:s transportnät."
        ),
        outcome_sought=(
            "En gemensam svensk-norsk plan för restider under tre timmar Oslo–Göteborg och att "
            "sträckan pekas ut som del av stomnätet i EU:s transportnät."
        ),
        decision_makers=(
            "Regeringen, Samferdselsdepartementet, Trafikverket, Jernbanedirektoratet, Europeiska "
            "kommissionen"
        ),
        unit="Regionutvecklingsnämnden",
        started_days_ago=1500,
        weight=6,
        leads=["Amira Haddad", "Per-Olof Svensson", "Elin Forsberg", "Maria Sjöberg"],
        counterparts=[
            "Jernbanedirektoratet",
            "Samferdselsdepartementet",
            "Østfold fylkeskommune",
            "Svinesundskommittén",
            "Trafikverket",
            "Regeringskansliet – Landsbygds- och infrastrukturdepartementet",
            "Europeiska kommissionen – DG MOVE",
            "Trollhättans stad",
            "Nordiska ministerrådet",
            "Greater Copenhagen",
            "Fjordlink AS",
            "Seko",
        ],
        related=["dubbelspar-goteborg-boras"],
        subjects=[
            "Tågtrafiken Oslo–Göteborg",
            "Gränsöverskridande tågtrafik i Skandinavien",
            "Oslo–Göteborg i EU:s transportnät",
            "Möte med {org} om förbindelsen Oslo–Göteborg",
        ],
        summaries=[
            (
                "Samtal om planeringen på den norska och den svenska sidan av gränsen och om hur "
                "tidplanerna kan samordnas."
            ),
            "Samtal om möjligheten att gemensamt söka EU-medel för utredningar om sträckan.",
            (
                "Regionen framförde att sträckan bör pekas ut som del av stomnätet i EU:s "
                "transportnät och att restiden måste kortas."
            ),
        ],
        outcomes=[
            "Parterna tar fram ett gemensamt positionspapper.",
            "{org} återkommer om möjligheten till gemensam finansiering.",
            "Frågan följs upp vid nästa möte i Svinesundskommittén.",
        ],
    ),
]

# Meetings about no particular issue; their officials come from the whole list.
GENERAL_TOPICS = [
    dict(
        weight=4,
        counterparts=[
            "Sveriges Kommuner och Regioner",
            "Regeringskansliet – Finansdepartementet",
            "Vision",
            "Kommunal",
        ],
        subjects=[
            "Regionens ekonomiska förutsättningar {next_year}",
            "Statsbidragen till regionerna",
            "Årligt dialogmöte med {org}",
        ],
        summaries=[
            (
                "Regionen redogjorde för det ekonomiska läget och prognosen för kommande år. "
                "{org} beskrev sin bild av sektorns förutsättningar."
            ),
            (
                "Samtal om de generella statsbidragen och hur kostnadsutvecklingen i vården "
                "påverkar regionens budget."
            ),
        ],
        outcomes=["Ingen särskild uppföljning.", "Ny avstämning efter budgetpropositionen."],
    ),
    dict(
        weight=3,
        counterparts=[
            "Myndigheten för samhällsskydd och beredskap",
            "Svenska Röda Korset",
            "Länsstyrelsen i Västra Götalands län",
        ],
        subjects=[
            "Krisberedskap och civilt försvar",
            "Regionens roll i totalförsvaret",
            "Samverkan vid allvarliga händelser",
        ],
        summaries=[
            (
                "Genomgång av regionens beredskapsplanering och hur samverkan med {org} fungerade "
                "vid den senaste övningen."
            ),
            (
                "Samtal om kommande krav inom civilt försvar. Regionen beskrev sitt arbete med "
                "försörjningsberedskap."
            ),
        ],
        outcomes=[
            "Regionen deltar i nästa gemensamma övning.",
            "{org} skickar en sammanfattning av övningen.",
        ],
    ),
    dict(
        weight=3,
        counterparts=[
            "Västsvenska Handelskammaren",
            "Svenskt Näringsliv",
            "Göteborgs Stad",
            "Borås Stad",
            "Tillväxtverket",
            "Högskolan Väst",
            "Chalmers tekniska högskola",
            "Kattegatt Stål AB",
        ],
        subjects=[
            "Regional utvecklingsstrategi – inspel från {org}",
            "Näringslivets kompetensbehov",
            "Introduktionsmöte med {org}",
        ],
        summaries=[
            (
                "{org} lämnade synpunkter på regionens utvecklingsstrategi, särskilt om "
                "kompetensförsörjning och infrastruktur."
            ),
            (
                "Presentation av respektive verksamhet och samtal om gemensamma frågor för det "
                "kommande året."
            ),
        ],
        outcomes=["Synpunkterna tas med i arbetet med strategin.", "Ingen särskild uppföljning."],
    ),
]

SUMMARY_CLOSINGS = [
    "",
    "",
    " Parterna enades om att hålla fortsatt kontakt på tjänstepersonsnivå.",
    " Regionen lämnade inga besked om ställningstaganden under mötet.",
    " Inga handlingar utväxlades.",
    " Mötet var en del av den löpande dialogen mellan parterna.",
]
GENERAL_OUTCOMES = [
    "Ingen särskild uppföljning.",
    "Nytt möte planeras under nästa kvartal.",
    "Tjänstepersoner följer upp frågan.",
    "Regionen återkommer skriftligt.",
]

WITHDRAWAL_REASONS = (
    "Mötet registrerades två gånger. Uppgifterna finns i en annan post.",
    "Posten gällde ett internt möte utan externa parter och hör inte hemma i registret.",
    "Uppgifter i posten omfattas av sekretess enligt offentlighets- och sekretesslagen.",
)


REGION_VENUES = [
    "Regionens hus, Göteborg",
    "Regionens hus, Göteborg",
    "Regionens hus, Vänersborg",
    "Regionens hus, Skövde",
]
EVENTS = [
    "Almedalsveckan, Visby",
    "Europeiska regionernas vecka, Bryssel",
    "Järnvägsdagarna, Göteborg",
    "Vårdkonferens, Göteborg",
    "Nordiskt gränsregionalt forum, Strömstad",
]
DOCUMENT_NAMES = ["presentation", "skrivelse", "underlag", "pm", "minnesanteckningar"]

FIRST_NAMES = {
    "SE": [
        "Anna",
        "Lars",
        "Maria",
        "Erik",
        "Karin",
        "Johan",
        "Eva",
        "Sara",
        "Peter",
        "Emma",
        "Magnus",
        "Linnea",
        "Fredrik",
        "Ingrid",
        "Mattias",
        "Hanna",
        "Oskar",
        "Camilla",
        "Niklas",
        "Leila",
        "Ahmed",
    ],
    "DK": ["Mette", "Søren", "Rasmus", "Louise", "Anders", "Camilla", "Henrik"],
    "NO": ["Ingrid", "Ola", "Kari", "Håkon", "Silje", "Eirik", "Marte"],
    "EU": ["Marie", "Jan", "Elena", "Thomas", "Katarzyna", "Pierre", "Sophie", "Lucas"],
}
SURNAMES = {
    "SE": [
        "Berg",
        "Öberg",
        "Lind",
        "Karlsson",
        "Nilsson",
        "Johansson",
        "Persson",
        "Hedlund",
        "Holm",
        "Sandberg",
        "Eriksson",
        "Åberg",
        "Lindgren",
        "Falk",
        "Strand",
        "Yilmaz",
        "Rahimi",
    ],
    "DK": ["Jensen", "Nielsen", "Hansen", "Pedersen", "Møller", "Kristensen"],
    "NO": ["Hansen", "Johansen", "Olsen", "Bakken", "Haugen", "Solberg"],
    "EU": ["Dubois", "De Vries", "Rossi", "Schmidt", "Nowak", "Lambert", "Fernández"],
}
ROLES = {
    "company": [
        "vd",
        "hållbarhetschef",
        "projektchef",
        "affärsutvecklingschef",
        "ansvarig för samhällskontakter",
    ],
    "trade_association": ["vd", "näringspolitisk chef", "regionchef", "policyexpert"],
    "ngo": ["ordförande", "generalsekreterare", "regional samordnare"],
    "union": ["förbundsordförande", "ombudsman", "avdelningsordförande", "utredare"],
    "public_authority": [
        "generaldirektör",
        "regiondirektör",
        "enhetschef",
        "handläggare",
        "projektchef",
    ],
    "government": ["statssekreterare", "politiskt sakkunnig", "departementsråd", "ämnesråd"],
    "eu_institution": ["enhetschef", "handläggare", "rådgivare", "ledamot"],
    "local_government": [
        "kommunstyrelsens ordförande",
        "stadsdirektör",
        "näringslivschef",
        "planeringschef",
    ],
    "academia": ["rektor", "professor", "forskningsledare", "innovationschef"],
    "consultancy": ["partner", "senior rådgivare", "konsult"],
    "other": ["direktör", "generalsekreterare", "samordnare"],
}


def load_demo(meetings: int | None = None, seed: int = 2026) -> dict:
    """Fill an empty register with a believable region; `meetings` sets a synthetic size."""
    if meetings is not None and meetings < 0:
        raise ValueError("the number of meetings cannot be negative")
    _ensure_empty()
    rng = random.Random(seed)
    today = local_today()
    world = _create_reference_data(rng, today)
    total = DEFAULT_MEETINGS if meetings is None else meetings
    counts = _insert_meetings(_MeetingGenerator(rng, world, today).meetings(total))
    db.session.commit()
    return {
        "accounts": [(email, role, DEMO_PASSWORD) for email, role, _name, _official in ACCOUNTS],
        "meetings": total,
        **counts,
        "units": len(UNITS),
        "officials": len(OFFICIALS),
        "organisations": len(ORGANISATIONS),
        "issues": len(ISSUES),
    }


def _ensure_empty() -> None:
    """Refuse to mix demo records with a register's own."""
    for model in (Meeting, Issue, Organisation, Official, Unit):
        if db.session.scalar(select(model.id).limit(1)) is not None:
            raise DemoDataError(
                f"The register already has {model.__tablename__} records; "
                "demo data can only be loaded into an empty database."
            )
    emails = [email for email, _role, _name, _official in ACCOUNTS]
    taken = db.session.scalars(select(User.email).where(User.email.in_(emails))).all()
    if taken:
        raise DemoDataError(f"Demo accounts already exist: {', '.join(taken)}.")


def _create_reference_data(rng: random.Random, today: date) -> SimpleNamespace:
    """Units, officials, organisations, issues and accounts; returned as plain values."""
    units = {name: Unit(name=name, kind=kind) for name, kind in UNITS}
    officials = {
        name: Official(name=name, title=title, unit=units[unit]) for name, title, unit in OFFICIALS
    }
    used_numbers: set[str] = set()
    organisations = {spec["name"]: _organisation(rng, spec, used_numbers) for spec in ORGANISATIONS}
    issues = {spec["slug"]: _issue(spec, units, today) for spec in ISSUES}
    users = {}
    for email, role, name, official in ACCOUNTS:
        user = User(email=email, role=role, name=name, official=officials.get(official))
        user.set_password(DEMO_PASSWORD)
        users[role] = user
    db.session.add_all(
        [
            *units.values(),
            *officials.values(),
            *organisations.values(),
            *issues.values(),
            *users.values(),
        ]
    )
    db.session.add(Setting(key="demo_data", value="1"))
    db.session.flush()

    # Plain values from here on: ORM objects expire at each batch commit.
    official_refs = {o.name: SimpleNamespace(id=o.id, name=o.name) for o in officials.values()}
    org_refs = {
        spec["name"]: SimpleNamespace(id=organisations[spec["name"]].id, **spec)
        for spec in ORGANISATIONS
    }
    issue_refs = {
        slug: SimpleNamespace(
            id=issue.id,
            slug=slug,
            title=issue.title,
            started_on=issue.started_on,
            ended_on=issue.ended_on,
        )
        for slug, issue in issues.items()
    }
    return SimpleNamespace(
        officials=list(official_refs.values()),
        topics=[
            _topic(spec, official_refs, org_refs, issue_refs) for spec in ISSUES + GENERAL_TOPICS
        ],
        registrar_id=users["registrar"].id,
        official_user_id=users["official"].id,
        official_user_official_id=users["official"].official.id,
    )


def _organisation(rng: random.Random, spec: dict, used_numbers: set[str]) -> Organisation:
    """An Organisation from its description, with a generated number where one is asked for."""
    number = None
    while spec["number"] and (number is None or number in used_numbers):
        number = (
            generate_danish_cvr(rng) if spec["number"] == "dk" else generate_swedish_org_number(rng)
        )
    if number:
        used_numbers.add(number)
    return Organisation(
        name=spec["name"],
        kind=spec["kind"],
        country=spec["country"],
        org_number=number,
        eu_transparency_id=(
            f"{rng.randrange(10**11, 10**12)}-{rng.randrange(100):02d}" if spec["eu_id"] else None
        ),
        # Invented organisations get a reserved example domain, never a real site.
        website=f"https://{spec['site']}.example.org/" if spec["site"] else None,
    )


def _issue(spec: dict, units: dict, today: date) -> Issue:
    """An Issue from its description, dated relative to today."""
    ended_days_ago = spec.get("ended_days_ago")
    return Issue(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        outcome_sought=spec["outcome_sought"],
        decision_makers=spec["decision_makers"],
        status="concluded" if ended_days_ago else "active",
        unit=units[spec["unit"]],
        started_on=today - timedelta(days=spec["started_days_ago"]),
        ended_on=today - timedelta(days=ended_days_ago) if ended_days_ago else None,
    )


def _topic(spec: dict, officials: dict, organisations: dict, issues: dict) -> SimpleNamespace:
    """What meetings about one issue (or none) are made of, with names resolved."""
    slug = spec.get("slug")
    return SimpleNamespace(
        issue=issues[slug] if slug else None,
        related=[issues[s] for s in spec.get("related", [])],
        weight=spec["weight"],
        leads=[officials[name] for name in spec.get("leads", officials)],
        counterparts=[organisations[name] for name in spec["counterparts"]],
        subjects=spec["subjects"],
        summaries=spec["summaries"],
        outcomes=spec["outcomes"],
    )


class _MeetingGenerator:
    """Meetings as plain namespaces: published ones first in date order, then drafts."""

    def __init__(self, rng: random.Random, world: SimpleNamespace, today: date):
        self.rng = rng
        self.world = world
        self.today = today
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.publish_within = current_app.config["PUBLISH_WITHIN_DAYS"]
        # Clamping to "now" never draws from rng, so a seed gives the same data all day.
        self.latest = utcnow() - timedelta(minutes=1)

    def meetings(self, total: int):
        """Yield (meeting, revisions) pairs with ids 1..total."""
        rng = self.rng
        drafts = round(total * DRAFT_SHARE)
        published = total - drafts
        amend_count = round(published * AMEND_SHARE)
        # Only records well in the past are amended or withdrawn.
        eligible = range(published * 9 // 10)
        picks = rng.sample(
            eligible, min(amend_count + round(published * WITHDRAW_SHARE), len(eligible))
        )
        amended, withdrawn = set(picks[:amend_count]), set(picks[amend_count:])

        first_day = self.today - timedelta(days=HISTORY_DAYS)
        yesterday = self.today - timedelta(days=1)
        for index in range(published):
            offset = int((index + rng.random()) * HISTORY_DAYS / published)
            meeting = self._meeting(
                index + 1, _weekday(first_day + timedelta(days=offset), yesterday)
            )
            yield meeting, self._publish(meeting, index in amended, index in withdrawn)

        recent = round(drafts * RECENT_DRAFT_SHARE)
        recent_days = (0, max(self.publish_within - 1, 0))
        overdue_days = (self.publish_within + 3, self.publish_within + 100)
        draft_days = sorted(
            _weekday(
                self.today
                - timedelta(days=rng.randint(*(recent_days if n < recent else overdue_days))),
                self.today,
            )
            for n in range(drafts)
        )
        for meeting_id, held_on in enumerate(draft_days, start=published + 1):
            meeting = self._meeting(meeting_id, held_on)
            meeting.created_at = min(
                self._office_hours(held_on + timedelta(days=rng.randint(0, 2))), self.latest
            )
            yield meeting, []

    def _meeting(self, meeting_id: int, held_on: date) -> SimpleNamespace:
        """A meeting's content: topic, people, place and text."""
        rng = self.rng
        topic = self._topic(held_on)
        organisations = _pick(rng, topic.counterparts, (55, 33, 12))
        officials = _pick(rng, topic.leads, (50, 35, 15))
        if len(officials) < 3 and rng.random() < 0.2:
            extra = rng.choice(self.world.officials)
            if extra not in officials:
                officials.append(extra)
        issues = [topic.issue] if topic.issue else []
        related = [issue for issue in topic.related if _active(issue, held_on)]
        if related and rng.random() < 0.15:
            issues.append(rng.choice(related))

        consultancy = next((o for o in organisations if o.kind == "consultancy"), None)
        meeting_format = rng.choices(
            ("in_person", "video", "phone", "written", "other"), (48, 32, 9, 6, 5)
        )[0]
        initiative = rng.choices(("region", "counterpart", "third_party"), (55, 37, 8))[0]
        fields = {"org": organisations[0].name, "next_year": held_on.year + 1}
        outcomes = topic.outcomes if rng.random() < 0.7 else GENERAL_OUTCOMES
        links = []
        if rng.random() < 0.15:
            names = rng.sample(DOCUMENT_NAMES, rng.randint(1, 2))
            links = [_document_link(topic.issue, held_on, name) for name in names]
        # A politician's meetings are logged from their own account, the rest by the registrar.
        if any(o.id == self.world.official_user_official_id for o in officials):
            creator = self.world.official_user_id
        else:
            creator = self.world.registrar_id
        return SimpleNamespace(
            id=meeting_id,
            held_on=held_on,
            start_time=(
                None
                if meeting_format == "written" or rng.random() < 0.15
                else time(rng.randint(8, 16), rng.choice((0, 0, 15, 30, 30, 45)))
            ),
            format=meeting_format,
            location=self._location(meeting_format, organisations),
            # A consultancy asks for the meeting on its client's behalf.
            initiative="counterpart" if consultancy else initiative,
            subject=rng.choice(topic.subjects).format(**fields),
            summary=rng.choice(topic.summaries).format(**fields) + rng.choice(SUMMARY_CLOSINGS),
            outcome=rng.choice(outcomes).format(**fields),
            representatives=self._representatives(organisations) if rng.random() < 0.65 else "",
            client=rng.choice(consultancy.clients) if consultancy else "",
            document_links=links,
            status="draft",
            created_by_id=creator,
            created_at=None,
            published_at=None,
            amended_at=None,
            withdrawn_at=None,
            withdrawal_reason="",
            # Ordered as the model's relationships load them, so snapshots match the app's.
            officials=_by_name(officials),
            organisations=_by_name(organisations),
            issues=sorted(issues, key=lambda issue: (issue.title, issue.id)),
        )

    def _topic(self, held_on: date) -> SimpleNamespace:
        """A topic whose issue was on the agenda that day (general topics always are)."""
        topics = [t for t in self.world.topics if t.issue is None or _active(t.issue, held_on)]
        return self.rng.choices(topics, [t.weight for t in topics])[0]

    def _location(self, meeting_format: str, organisations: list) -> str:
        """Where a meeting of this format with these counterparts plausibly took place."""
        rng = self.rng
        if meeting_format == "video":
            return rng.choice(("Teams", "Teams", "Teams", "Zoom"))
        if meeting_format == "phone":
            return "Telefon"
        if meeting_format == "written":
            return "E-post"
        if meeting_format == "other":
            return rng.choice(EVENTS)
        venues = [o.venue for o in organisations if o.venue]
        if venues and rng.random() < 0.6:
            return rng.choice(venues)
        if any(o.country == "BE" for o in organisations):
            return "Brysselkontoret, Bryssel"
        return rng.choice(REGION_VENUES)

    def _representatives(self, organisations: list) -> str:
        """Names and roles of the people the counterparts sent."""
        rng = self.rng
        people = []
        for organisation in organisations[:2]:
            names = {"DK": "DK", "NO": "NO", "BE": "EU", "LU": "EU"}.get(organisation.country, "SE")
            for _ in range(rng.choice((1, 1, 2))):
                person = (
                    f"{rng.choice(FIRST_NAMES[names])} {rng.choice(SURNAMES[names])}, "
                    f"{rng.choice(ROLES[organisation.kind])}"
                )
                people.append(
                    f"{person}, {organisation.name}" if len(organisations) > 1 else person
                )
        return "; ".join(people)

    def _publish(self, meeting: SimpleNamespace, amend: bool, withdraw: bool) -> list[dict]:
        """Publish the meeting, perhaps amend or withdraw it later; return its revisions."""
        rng = self.rng
        if rng.random() < LATE_SHARE:
            delay = self.publish_within + 1 + int(16 * rng.random() ** 2)
        else:
            # Most records are written up within a day or two, few on the day itself.
            delay = int(rng.triangular(0, self.publish_within + 1, 1))
        # Written up during office hours after the meeting, published on or after that day.
        start = self._local(meeting.held_on, meeting.start_time or time(9))
        created_at = max(
            self._office_hours(meeting.held_on + timedelta(days=rng.randint(0, delay))),
            start + timedelta(minutes=45),
        )
        published_at = max(
            self._office_hours(meeting.held_on + timedelta(days=delay)),
            created_at + timedelta(minutes=10),
        )
        meeting.published_at = min(published_at, self.latest)
        meeting.created_at = min(created_at, meeting.published_at - timedelta(minutes=5))
        meeting.status = "published"

        first, reason = self._amendment(meeting) if amend else (meeting, "")
        registrar = self.world.registrar_id
        revisions = [_revision("publish", meeting.created_by_id, meeting.published_at, None, first)]
        if amend:
            later = timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
            meeting.amended_at = min(meeting.published_at + later, self.latest)
            revisions.append(
                _revision("amend", registrar, meeting.amended_at, first, meeting, reason)
            )
        if withdraw:
            meeting.status = "withdrawn"
            meeting.withdrawn_at = min(
                meeting.published_at + timedelta(days=rng.randint(1, 20)), self.latest
            )
            meeting.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            revisions.append(
                _revision(
                    "withdraw",
                    registrar,
                    meeting.withdrawn_at,
                    meeting,
                    None,
                    meeting.withdrawal_reason,
                )
            )
        return revisions

    def _amendment(self, meeting: SimpleNamespace) -> tuple[SimpleNamespace, str]:
        """The meeting as first published, before a typical correction, and the reason."""
        rng = self.rng
        first = SimpleNamespace(**vars(meeting))
        kind = rng.choice(("date", "officials", "outcome", "links"))
        if kind == "date":
            first.held_on = meeting.held_on - timedelta(days=1)
            return first, "Rättat datum: mötet hölls dagen efter det först angivna."
        if kind == "officials":
            if len(meeting.officials) == 1:
                extra = rng.choice(
                    [o for o in self.world.officials if o is not meeting.officials[0]]
                )
                meeting.officials = _by_name([*meeting.officials, extra])
            missing = rng.choice(meeting.officials)
            first.officials = [o for o in meeting.officials if o is not missing]
            return first, "Kompletterat med deltagare som saknades i den första versionen."
        if kind == "outcome":
            first.outcome = ""
            return first, "Kompletterat med uppföljning efter mötet."
        if not meeting.document_links:
            issue = meeting.issues[0] if meeting.issues else None
            meeting.document_links = [_document_link(issue, meeting.held_on, "presentation")]
        first.document_links = []
        return first, "Lagt till presentationen som delades under mötet."

    def _office_hours(self, day: date) -> datetime:
        """A random moment of a working day there, as an aware UTC datetime."""
        return self._local(day, time(self.rng.randint(8, 16), self.rng.randrange(60)))

    def _local(self, day: date, at: time) -> datetime:
        """A local wall-clock time as an aware UTC datetime."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)


def _revision(action: str, user_id: int, at: datetime, before, after, reason: str = "") -> dict:
    """A revision row without id, meeting or number; `before`/`after` are meeting states."""
    # Meeting.snapshot reads plain attributes only, so it serves our namespaces as well and
    # the revisions hold exactly what the app itself would record.
    return {
        "action": action,
        "user_id": user_id,
        "created_at": at,
        "reason": reason,
        "before": Meeting.snapshot(before) if before is not None else None,
        "after": Meeting.snapshot(after) if after is not None else None,
    }


def _pick(rng: random.Random, items: list, weights: tuple[int, int, int]) -> list:
    """One, two or three distinct items, with the given weights for each count."""
    count = rng.choices((1, 2, 3), weights)[0]
    return rng.sample(items, min(count, len(items)))


def _by_name(items: list) -> list:
    """Items in the order the model's relationships load them: by name, then id."""
    return sorted(items, key=lambda item: (item.name, item.id))


def _document_link(issue, held_on: date, name: str) -> str:
    """A link to a document exchanged at a meeting (on a reserved example domain)."""
    folder = issue.slug if issue else "moten"
    return f"https://example.org/dokument/{folder}/{held_on.isoformat()}-{name}.pdf"


def _active(issue: SimpleNamespace, day: date) -> bool:
    """Whether the issue was on the agenda on that day."""
    return issue.started_on <= day and (issue.ended_on is None or day <= issue.ended_on)


def _weekday(day: date, latest: date) -> date:
    """Move a weekend day to a neighbouring weekday no later than `latest`, keeping order."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        monday = day + timedelta(days=1)
        return monday if monday <= latest else day - timedelta(days=2)
    return day


def _insert_meetings(pairs) -> dict:
    """Write meetings, their links and revisions with Core bulk inserts, batch by batch."""
    counts = {"published": 0, "drafts": 0, "withdrawn": 0, "amended": 0, "revisions": 0}
    batch = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) == BATCH_SIZE:
            _insert_batch(batch, counts)
            db.session.commit()
            batch = []
    _insert_batch(batch, counts)
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; the app's own inserts must follow on.
        for table in ("meeting", "revision"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            )
    return counts


def _insert_batch(batch: list, counts: dict) -> None:
    """One batch of meetings and everything that hangs on them."""
    if not batch:
        return
    meetings, officials, organisations, issues, revisions = [], [], [], [], []
    for meeting, meeting_revisions in batch:
        meetings.append({column: getattr(meeting, column) for column in MEETING_COLUMNS})
        officials += [{"meeting_id": meeting.id, "official_id": o.id} for o in meeting.officials]
        organisations += [
            {"meeting_id": meeting.id, "organisation_id": o.id} for o in meeting.organisations
        ]
        issues += [{"meeting_id": meeting.id, "issue_id": i.id} for i in meeting.issues]
        for number, revision in enumerate(meeting_revisions, start=1):
            counts["revisions"] += 1
            revisions.append(
                {"id": counts["revisions"], "meeting_id": meeting.id, "number": number, **revision}
            )
        counts["drafts" if meeting.status == "draft" else meeting.status] += 1
        counts["amended"] += meeting.amended_at is not None
    db.session.execute(insert(Meeting.__table__), meetings)
    db.session.execute(insert(meeting_official), officials)
    db.session.execute(insert(meeting_organisation), organisations)
    if issues:
        db.session.execute(insert(meeting_issue), issues)
    if revisions:
        db.session.execute(insert(Revision.__table__), revisions)
