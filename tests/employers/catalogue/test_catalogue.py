"""The public catalogue on the suite's engine (SQLite, or PostgreSQL with TEST_DATABASE_URL):
Swedish stemming, every filter, pagination, what is listed and what is never shown."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, literal_column, select, text

from portal import clock
from portal.employers.catalogue.services import (
    CatalogueQuery,
    folded,
    fts5_query,
    postgres_document,
    public_placement,
    query_words,
    search,
    search_document,
)
from portal.employers.models import OrganisationStatus, Placement, PlacementStatus
from portal.employers.reference import features_mask
from portal.weeks import monday_of, week_label
from tests import factories
from tests.conftest import DEMO_MOMENT

SOON = monday_of(clock.today()) + timedelta(weeks=10)
WEEK = timedelta(weeks=1)


def offered(title: str = "Praoplats", *, first: Any = SOON, weeks: int = 2, seats: int = 2,
            taken: int = 0, **fields: Any) -> Placement:
    """A published placement of an approved organisation with one offer of `weeks` weeks."""
    placement = factories.PlacementFactory(title=title, **fields)
    factories.PlacementOfferFactory(placement=placement, first_week=first,
                                    last_week=first + (weeks - 1) * WEEK, seats=seats,
                                    seats_taken=taken)
    return placement


def titles(**query: Any) -> list[str]:
    return [p.title for p in search(CatalogueQuery(**query), per_page=100).items]


# --- words and stems (no database) ---------------------------------------------------

def test_query_words_drop_stop_words_and_punctuation():
    assert query_words('Snickare på "bygget" OR -NEAR(x*)') == ["snickare", "bygget", "or",
                                                                 "near", "x"]
    assert query_words("och i på att") == []
    assert len(query_words(" ".join(f"ord{n}" for n in range(100)))) == 12


def test_fts5_query_quotes_every_stem():
    assert fts5_query(["butiker", "snickaren"]) == '"butik" "snick"'


def test_search_text_is_stemmed_for_sqlite_and_plain_for_postgresql():
    parts = ("Butiker", "ICA Nära", "Du hjälper till i butiken.", "Packa varor.", "Luleå")
    assert search_document(*parts, dialect="sqlite", sector="crafts") == (
        "butik butik ica när hjälp butik pack var luleå hantverk nar hjalp lule\n"
        "butiker\nbutiker\nica nära nara\nhjälper butiken hjalper\npacka varor\n"
        "luleå lulea\nhantverk")
    assert search_document(*parts, dialect="postgresql", sector="crafts") == (
        "butiker\nica nära nara\nhjälper butiken hjalper\npacka varor\nluleå lulea\n"
        "hantverk")
    assert search_document(*parts, dialect="postgresql").endswith("luleå lulea\n"), \
        "no sector"


def test_words_are_also_kept_as_typed_without_diacritics():
    assert folded("undersköterska") == ("underskoterska",)
    assert [folded(word) for word in ("äldre", "luleå", "café", "müller", "ærø", "snickare")] \
        == [("aldre",), ("lulea",), ("cafe",), ("muller",), ("aero",), ()]
    assert folded("hår") == (), "a stop word without diacritics (har) is not searched"
    assert search_document("Kock på café", "Åkeriet", "", "", "", "postgresql").startswith(
        "kock café cafe\nåkeriet akeriet\n"), "the title's line holds its folded words too"


# --- Swedish stemming, on the suite's engine ------------------------------------------

@pytest.mark.parametrize(("title", "description", "wanted"), [
    ("Butik", "Sortera varor.", "butiker"),
    ("Butiksbiträde", "Du står i butiken och hjälper kunder.", "butiker"),
    ("Snickaren", "Bygg altaner.", "snickare"),
    ("Snickare", "Bygg altaner.", "snickaren"),
    ("Djurskötare", "Du matar hästarna i stallet.", "häst"),
    ("Kock", "Laga mat i restaurangens kök.", "RESTAURANGER"),
])
def test_swedish_stemming_finds_other_forms_of_a_word(db, title, description, wanted):
    offered(title, description=description, tasks="")
    offered("Annat", description="Något helt annat.", tasks="", sector="admin")
    assert titles(text=wanted) == [title]


def test_every_word_must_match_and_stop_words_are_ignored(db):
    offered("Snickare", description="Vi bygger hus i Luleå.", tasks="", city="Luleå",
            sector="construction")
    offered("Snickare", description="Vi bygger båtar.", tasks="", city="Piteå",
            sector="construction")
    assert len(titles(text="snickare hus")) == 1
    assert len(titles(text="snickare och hus i luleå")) == 1
    assert titles(text="snickare flygplan") == []
    assert len(titles(text="och i på")) == 2, "only stop words: as if no text was given"


@pytest.mark.parametrize(("typed", "spelled"), [
    ("lulea", "luleå"), ("aldre", "äldre"), ("underskoterska", "undersköterska"),
    ("Underskoterskor aldre", "Undersköterskor äldre"), ("akeriet", "åkeri"),
])
def test_a_search_without_diacritics_finds_what_the_spelled_search_finds(db, typed, spelled):
    """Å, ä and ö left out (a phone without a Swedish keyboard) find the same placements, in
    the same order: stemmed (underskoterskor), inside compounds (akeriet) and in the title
    first."""
    offered("A. Kontor", description="Vi planerar besök hos äldre i Luleå.", tasks="",
            organisation=factories.OrganisationFactory(name="Åkeriet AB"))
    offered("B. Undersköterska", description="Hemtjänst för äldre i Luleå.", tasks="")
    offered("C. Bagare", description="Baka bröd i Kalix.", tasks="")
    assert titles(text=spelled), spelled
    assert titles(text=typed) == titles(text=spelled)


def test_a_spelled_search_still_finds_only_its_own_spelling(db):
    """The text holds its words without diacritics as well, but a query that has its
    diacritics is never folded: bär finds berries, not a bar; bar finds both."""
    offered("Plocka bär", description="Vi plockar blåbär i skogen.", tasks="")
    offered("Servitör i bar", description="Vi serverar i baren.", tasks="")
    assert titles(text="bär") == ["Plocka bär"]
    assert titles(text="blåbär") == ["Plocka bär"]
    assert titles(text="servitör") == ["Servitör i bar"]
    assert titles(text="servitor") == ["Servitör i bar"]
    assert titles(text="bar") == ["Servitör i bar", "Plocka bär"], "the spelled word first"


def test_organisation_name_and_place_are_searched(db):
    organisation = factories.OrganisationFactory(name="Norrbottens Bygg AB")
    offered("Snickare", organisation=organisation, city="Kalix")
    offered("Kock", city="Luleå")
    assert titles(text="norrbotten") == ["Snickare"]
    assert titles(text="kalix") == ["Snickare"]


def test_title_matches_rank_before_description_matches(db):
    offered("A. Kontor", description="Här finns en bagare som bakar bröd.", tasks="")
    offered("B. Bagare", description="Baka bröd och bullar.", tasks="")
    offered("C. Bagare", description="Baka bröd och bullar.", tasks="")
    found = titles(text="bagaren")
    assert found[-1] == "A. Kontor" and sorted(found[:2]) == ["B. Bagare", "C. Bagare"]


def test_without_text_sorted_by_title(db):
    for title in ("Cykelmekaniker", "Apotek", "Bageri"):
        offered(title)
    assert titles() == ["Apotek", "Bageri", "Cykelmekaniker"]


def test_search_follows_every_change_to_a_placement(db):
    placement = offered("Snickare", description="Vi bygger altaner.", tasks="")
    assert titles(text="altan") == ["Snickare"]
    placement.description = "Vi bygger bryggor."
    db.session.commit()
    assert titles(text="altan") == [] and titles(text="brygga") == ["Snickare"]
    placement.organisation.name = "Sjöbodarna AB"
    db.session.commit()
    assert titles(text="sjöbodarnas") == ["Snickare"]
    db.session.delete(placement)
    db.session.commit()
    assert titles(text="brygga") == []
    if db.session.get_bind().dialect.name == "sqlite":
        # FTS5 raises if its index no longer matches placement.search_text.
        db.session.execute(text("INSERT INTO placement_fts (placement_fts) "
                                "VALUES ('integrity-check')"))


def test_the_same_search_again_shows_the_seats_as_they_are_now(db):
    """A search's statement is built once and kept; what it finds is read every time."""
    placement = offered("Bagare", seats=2)
    query = CatalogueQuery(text="bagare")
    assert [o.seats_free for o in search(query).items[0].offers] == [2]
    placement.offers[0].seats_taken = 2
    offered("Bagare och konditor", seats=1)
    db.session.commit()
    found = search(query).items
    assert [p.title for p in found] == ["Bagare", "Bagare och konditor"]
    assert [o.seats_free for o in found[0].offers] == [0]


def test_the_demo_region_is_searchable(demo_db, set_clock):
    set_clock(DEMO_MOMENT)
    assert titles(text="snickaren") == ["Snickare på bygget"]
    assert titles(text="undersköterskor hemtjänst") == ["Undersköterska i hemtjänsten"]


def test_search_uses_the_engines_full_text_and_trigram_indexes(db):
    """The search is answered from the FTS5 tables (SQLite) or from the GIN indexes of
    migrations 0004 and 0007 (PostgreSQL): stems as words, roots inside words."""
    offered("Butik")
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        sent: list[tuple[str, Any]] = []

        def remember(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
            sent.append((statement, parameters))

        event.listen(connection, "before_cursor_execute", remember)
        try:
            search(CatalogueQuery(text="butiker"))
        finally:
            event.remove(connection, "before_cursor_execute", remember)
        statement, parameters = sent[0]  # the count
        plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN "
                                                              + statement, parameters)]
        for table in ("placement_fts", "placement_fts_trigram"):
            assert any(step.startswith(f"SCAN {table} VIRTUAL TABLE INDEX") for step in plan), \
                plan
    else:
        tsquery = func.plainto_tsquery(literal_column("'swedish'::regconfig"), "butiker")
        stems = select(Placement.id).where(postgres_document().bool_op("@@")(tsquery))
        inside = select(Placement.id).where(Placement.search_text.like("%butik%"))
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for stmt, index in ((stems, "ix_placement_search"),
                            (inside, "ix_placement_search_trigram")):
            sql = str(stmt.compile(connection, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + sql).scalars())
            assert re.search(rf"Bitmap Index Scan on {index}\s", plan), plan


# --- filters -------------------------------------------------------------------------

def test_filter_by_sector(db):
    offered("Snickare", sector="construction")
    offered("Kock", sector="hospitality")
    assert titles(sector="construction") == ["Snickare"]


def test_filter_by_municipality(db):
    lulea = factories.MunicipalityFactory(name="Luleå")
    pitea = factories.MunicipalityFactory(name="Piteå")
    offered("I Luleå", municipality_id=lulea.id)
    offered("I Piteå", municipality_id=pitea.id)
    assert titles(municipality_id=pitea.id) == ["I Piteå"]


def test_filter_by_week_the_offer_covers(db):
    offered("Veckorna 10–11", first=SOON, weeks=2)
    offered("Vecka 13", first=SOON + 3 * WEEK, weeks=1)
    assert titles(weeks=(SOON + WEEK, SOON + WEEK)) == ["Veckorna 10–11"]
    assert titles(weeks=(SOON, SOON + WEEK)) == ["Veckorna 10–11"]
    assert titles(weeks=(SOON + WEEK, SOON + 2 * WEEK)) == [], "not covered as a whole"
    assert titles(weeks=(SOON + 2 * WEEK, SOON + 2 * WEEK)) == []


def test_filter_by_grade(db):
    offered("Bara nian", accepts_grade_8=False, accepts_grade_9=True)
    offered("Bara åttan", accepts_grade_8=True, accepts_grade_9=False)
    offered("Båda")
    assert titles(grade=8) == ["Bara åttan", "Båda"]
    assert titles(grade=9) == ["Bara nian", "Båda"]


def test_filter_by_accessibility_needs_every_feature_chosen(db):
    offered("Hiss och ramp", features=features_mask(["step_free", "elevator"]))
    offered("Bara ramp", features=features_mask(["step_free"]))
    offered("Inget")
    assert titles(features=features_mask(["step_free"])) == ["Bara ramp", "Hiss och ramp"]
    assert titles(features=features_mask(["step_free", "elevator"])) == ["Hiss och ramp"]
    assert titles(features=features_mask(["step_free", "quiet_space"])) == []


def test_filter_free_seats_and_week_apply_to_the_same_offer(db):
    placement = offered("Full vecka 1, ledig vecka 5", first=SOON, weeks=1, seats=2, taken=2)
    factories.PlacementOfferFactory(placement=placement, first_week=SOON + 4 * WEEK,
                                    last_week=SOON + 4 * WEEK, seats=3, seats_taken=1)
    offered("Fullbokad", seats=1, taken=1)
    assert titles() == ["Full vecka 1, ledig vecka 5", "Fullbokad"]
    assert titles(free_seats_only=True) == ["Full vecka 1, ledig vecka 5"]
    assert titles(free_seats_only=True, weeks=(SOON, SOON)) == []
    assert titles(free_seats_only=True, weeks=(SOON + 4 * WEEK, SOON + 4 * WEEK)) == [
        "Full vecka 1, ledig vecka 5"]


def test_filters_combine(db):
    offered("Snickare i Kalix", sector="construction", city="Kalix", accepts_grade_8=False)
    offered("Snickare i Luleå", sector="construction", city="Luleå")
    offered("Kock i Kalix", sector="hospitality", city="Kalix")
    assert titles(text="kalix", sector="construction", grade=9) == ["Snickare i Kalix"]
    assert titles(text="kalix", sector="construction", grade=8) == []


def test_filters_through_the_page(client, db):
    lulea = factories.MunicipalityFactory(name="Luleå kommun")
    offered("Snickare", sector="construction", municipality_id=lulea.id,
            features=features_mask(["step_free", "elevator"]), accepts_grade_8=False)
    offered("Kock", sector="hospitality")
    db.session.commit()
    query = {"q": "snickaren", "bransch": "construction", "kommun": str(lulea.id),
             "vecka": week_label(SOON), "arskurs": "9",
             "tillganglighet": ["step_free", "elevator"], "lediga": "y"}
    html = client.get("/praoplatser", query_string=query).get_data(as_text=True)
    assert "<h2 id=\"traffar\" class=\"h4\">1 praoplats</h2>" in html
    assert ">Snickare</a>" in html and ">Kock</a>" not in html
    assert client.get("/praoplatser", query_string={**query, "arskurs": "8"}).get_data(
        as_text=True).count('class="card mb-3"') == 0


# --- what is listed ------------------------------------------------------------------

@pytest.mark.parametrize("status", [PlacementStatus.DRAFT, PlacementStatus.PENDING,
                                    PlacementStatus.ARCHIVED])
def test_only_published_placements_are_listed_and_shown(client, db, status):
    hidden = offered("Dold", status=status)
    offered("Synlig")
    db.session.commit()
    assert titles() == ["Synlig"]
    assert public_placement(hidden.id) is None
    assert client.get(f"/praoplatser/{hidden.id}").status_code == 404


@pytest.mark.parametrize("status", [OrganisationStatus.PENDING, OrganisationStatus.REJECTED,
                                    OrganisationStatus.SUSPENDED])
def test_only_approved_organisations_are_listed(client, db, status):
    organisation = factories.OrganisationFactory(status=status)
    hidden = offered("Dold", organisation=organisation)
    offered("Synlig")
    db.session.commit()
    assert titles() == ["Synlig"]
    assert client.get(f"/praoplatser/{hidden.id}").status_code == 404


def test_placements_without_an_open_offer_are_not_listed(db):
    factories.PlacementFactory(title="Inget erbjudande")
    offered("Bara förra terminen", first=monday_of(clock.today()) - 10 * WEEK, weeks=2)
    offered("Pågår nu", first=monday_of(clock.today()) - WEEK, weeks=2)
    assert titles() == ["Pågår nu"]


# --- pagination ----------------------------------------------------------------------

def test_pages_of_twenty_cover_every_result_once(db):
    for n in range(45):
        offered(f"Plats {n:02d}")
    pages = [search(CatalogueQuery(), page=page) for page in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [20, 20, 5]
    assert {p.total for p in pages} == {45} and pages[0].pages == 3
    found = [placement.title for p in pages for placement in p.items]
    assert found == [f"Plats {n:02d}" for n in range(45)]
    assert (pages[1].first, pages[1].last) == (21, 40)
    past_the_end = search(CatalogueQuery(), page=9)
    assert past_the_end.page == 3 and len(past_the_end.items) == 5


def test_page_links_keep_every_filter(client, db):
    for n in range(25):
        offered(f"Plats {n:02d}", sector="construction",
                features=features_mask(["step_free", "elevator"]))
    db.session.commit()
    html = client.get("/praoplatser?bransch=construction&tillganglighet=step_free"
                      "&tillganglighet=elevator&q=plats&_external=1&evil=x").get_data(
                          as_text=True)
    assert "Sida 1 av 2" in html and "Visar 1–20 av 25." in html
    link = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    for part in ("bransch=construction", "tillganglighet=step_free",
                 "tillganglighet=elevator", "q=plats", "sida=2"):
        assert part in link
    assert "_external" not in link and "evil" not in link
    second = client.get(link).get_data(as_text=True)
    assert "Sida 2 av 2" in second and second.count('class="card mb-3"') == 5


def test_counting_stops_at_the_cap(client, db, monkeypatch):
    for n in range(25):
        offered(f"Plats {n:02d}")
    db.session.commit()
    first = search(CatalogueQuery(), per_page=2, count_cap=5)
    assert first.more and first.total == 5 and first.pages == 3
    last = search(CatalogueQuery(), page=99, per_page=2, count_cap=5)
    assert last.page == 3 and [p.title for p in last.items] == ["Plats 04", "Plats 05"]
    assert not search(CatalogueQuery(), count_cap=25).more
    monkeypatch.setattr("portal.employers.catalogue.services.COUNT_CAP", 21)
    monkeypatch.setattr("portal.employers.catalogue.views.catalogue.COUNT_CAP", 21)
    html = client.get("/praoplatser").get_data(as_text=True)
    assert "<title>Fler än 21 praoplatser, sida 1 av 2 – Sök praoplatser" in html
    assert "Visar 1–20. Skriv ett sökord" in html


def test_a_first_page_that_is_not_full_is_counted_by_its_rows(db):
    for n in range(7):
        offered(f"Plats {n}")
    found = search(CatalogueQuery(), per_page=20, count_cap=5)
    assert len(found.items) == found.total == 7 and not found.more and found.pages == 1


@pytest.mark.parametrize("page", ["0", "-5", "abc", "99999999999999999999999", "1.5"])
def test_any_page_number_gives_a_page(client, db, page):
    offered("Plats")
    db.session.commit()
    response = client.get(f"/praoplatser?sida={page}")
    assert response.status_code == 200 and ">Plats</a>" in response.get_data(as_text=True)


# --- the public placement page -------------------------------------------------------

def test_public_page_shows_the_placement_but_no_supervisor_contact(client, db):
    placement = offered(
        "Snickare", description="Första stycket.\n\nAndra stycket.", tasks="Mäta och såga.",
        supervisor_name="Hanna Handledare", supervisor_phone="070-987 65 43",
        supervisor_email="hanna.handledare@bygg.se", languages="svenska, engelska",
        protective_equipment="Hjälm och skyddsskor lånas ut.",
        features=features_mask(["step_free"]), sector="construction")
    db.session.commit()
    html = client.get(f"/praoplatser/{placement.id}").get_data(as_text=True)
    for shown in ("<h1>Snickare</h1>", placement.organisation.name, "Bygg och anläggning",
                  "<p>Första stycket.</p>", "<p>Andra stycket.</p>", "Mäta och såga.",
                  "svenska, engelska", "Hjälm och skyddsskor", "Tillgänglig utan trappsteg",
                  "kl. 08:00–14:30", "rast 30 minuter från kl. 11:30", "8 och 9",
                  f"vecka {week_label(SOON, SOON + WEEK)}"):
        assert shown in html, shown
    for hidden in ("070-987 65 43", "0709876543", "hanna.handledare", "@bygg.se",
                   "Hanna Handledare", placement.organisation.contact_email,
                   placement.organisation.contact_phone):
        assert hidden not in html, hidden


def test_html_in_a_placement_is_shown_as_text(client, db):
    placement = offered("<script>alert('titel')</script>",
                        description='<img src=x onerror="alert(1)"> och <b>fet</b>',
                        tasks="<a href='javascript:alert(2)'>klicka</a>")
    db.session.commit()
    for url in ("/praoplatser", f"/praoplatser/{placement.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(&#39;titel&#39;)&lt;/script&gt;" in html
        assert "<script>alert" not in html and "<img src=x" not in html
    html = client.get(f"/praoplatser/{placement.id}").get_data(as_text=True)
    assert "&lt;b&gt;fet&lt;/b&gt;" in html and "<a href='javascript" not in html


def test_unknown_placement_is_not_found(client, db):
    assert client.get("/praoplatser/987654321").status_code == 404


# --- hostile search input ------------------------------------------------------------

HOSTILE = [
    '"', '""', "'", '"snickare', "snick*", "NEAR(a b)", "a AND", "OR", "NOT x", "-x", "^x",
    "title:x", "placement_fts:x", "(", ")", "{a b}", "a + b", "x OR 1=1 --",
    "'; DROP TABLE placement; --", "\\", "%", "_", "\x00", "\x00snickare", "\u202e\ufeff",
    "<script>alert(1)</script>", "snickare " * 30, "ö" * 200,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_text_gives_a_normal_page(client, db, query):
    offered("Snickare")
    db.session.commit()
    response = client.get("/praoplatser", query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="traffar"' in html and "<script>alert(1)" not in html


def test_very_long_text_is_refused_beside_the_field(client, db):
    response = client.get("/praoplatser", query_string={"q": "snickare " * 1200})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Skriv högst 200 tecken." in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize("raw", ["q=%FF%FE%FD", "q=%C3%28", "q=%ED%A0%80",
                                 "vecka=%FF&bransch=%FE&kommun=%80&arskurs=%C0",
                                 "tillganglighet=%FF&lediga=%FF"])
def test_bytes_that_are_not_utf8_give_a_normal_page(client, db, raw):
    response = client.get(f"/praoplatser?{raw}")
    assert response.status_code == 200


@pytest.mark.parametrize(("query", "message"), [
    ({"vecka": "vecka elva"}, "Skriv veckan som ett veckonummer, till exempel 11, v. 11"),
    ({"vecka": "54 2027"}, "Den veckan finns inte det året. Ett år har 52 eller 53 veckor."),
    ({"vecka": "10 0001"}, "Kontrollera årtalet: skriv veckan som 11 2027."),
    ({"vecka": "x" * 500}, "Skriv veckan som ett veckonummer, till exempel 11, v. 11"),
    ({"bransch": "<b>ingen</b>"}, "Välj en bransch i listan."),
    ({"kommun": "999999"}, "Välj en kommun i listan."),
    ({"arskurs": "7"}, "Välj årskurs 8 eller 9."),
    ({"tillganglighet": "<script>"}, "Välj bland alternativen i listan."),
])
def test_invalid_filters_are_explained_beside_the_field(client, db, query, message):
    response = client.get("/praoplatser", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert "<title>Fel:" in html and "<b>ingen</b>" not in html and "<script>" not in html


def test_the_kept_search_form_follows_each_search_and_language(client, db):
    """The form's HTML is kept between requests: each search, and each language, still
    gets its own, and a form with an error is never kept for the next visitor."""
    lulea = factories.MunicipalityFactory(name="Luleå kommun")
    offered("Snickare", municipality_id=lulea.id)
    db.session.commit()

    def form_of(query: dict[str, str]) -> str:
        html = client.get("/praoplatser", query_string=query).get_data(as_text=True)
        return html[html.index('<form method="get"'):html.index("</form>")]

    chosen = form_of({"q": "snickare", "kommun": str(lulea.id)})
    luleå = f'<option selected value="{lulea.id}">'
    assert 'value="snickare"' in chosen and luleå in chosen
    plain = form_of({})
    assert 'value="snickare"' not in plain and luleå not in plain
    assert 'is-invalid' in form_of({"vecka": "vecka 99 i år"})
    assert 'is-invalid' not in form_of({"vecka": ""})
    client.get("/sprak/en")
    assert "Search and filter" in form_of({"q": "snickare", "kommun": str(lulea.id)})
    client.get("/sprak/sv")
    assert "Sök och välj" in form_of({"q": "snickare", "kommun": str(lulea.id)})


def test_the_search_hint_gives_swedish_words_in_every_language(client, db):
    """Placements are written in Swedish: an English hint of English words finds nothing."""
    swedish = "Till exempel butik, snickare eller djur."
    assert swedish in client.get("/praoplatser").get_data(as_text=True)
    client.get("/sprak/en?next=/praoplatser")
    html = client.get("/praoplatser").get_data(as_text=True)
    assert ("For example butik (shop), snickare (carpenter) or djur (animals): "
            "placements are described in Swedish.") in html
    assert swedish not in html
