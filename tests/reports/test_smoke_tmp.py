from tests import factories
from portal.accounts.models import Role

def test_page(client, world, login_as, db):
    login_as("council")
    r = client.get("/rapporter")
    assert r.status_code == 200, r.get_data(as_text=True)[:3000]
    with open("/tmp/report.html", "w") as f: f.write(r.get_data(as_text=True))
    r = client.get("/rapporter/coverage.csv")
    assert r.status_code == 200
    r = client.get("/rapporter/coverage.xlsx")
    assert r.status_code == 200
