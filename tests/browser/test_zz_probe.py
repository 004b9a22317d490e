from .conftest import sign_in

def test_probe(page, records, world):
    sign_in(page)
    page.goto("/desk/meetings/new")
    page.locator("#held_on").focus()
    page.keyboard.type("20261118")
    print("VALUE", page.locator("#held_on").input_value())
    page.locator("#held_on").screenshot(path="/tmp/date.png")
