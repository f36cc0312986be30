"""What Swedes type finds what employers wrote: compounds, inflections and derivations, on
the suite's engine (SQLite with FTS5's trigram table, or PostgreSQL with pg_trgm when
TEST_DATABASE_URL is set). Titles are real Swedish job titles (SSYK); the queries are the
forms people write: a part of a compound, a definite or plural form, a genitive, the
workplace instead of the worker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from portal import clock
from portal.employers.catalogue.services import CatalogueQuery, query_words, roots, search
from portal.weeks import monday_of
from tests import factories

SOON = monday_of(clock.today()) + timedelta(weeks=10)

# title, sector, description, tasks
PLACEMENTS = [
    ("Undersköterska i hemtjänsten", "health",
     "Du följer med på hembesök hos äldre som bor kvar hemma.", "Hjälpa till vid måltider."),
    ("Sjuksköterska på vårdcentral", "health",
     "Mottagningen tar emot patienter från hela kommunen.", "Följa med på mottagningen."),
    ("Tandsköterska", "health", "Kliniken har fyra behandlingsrum.", "Förbereda instrument."),
    ("Snickare i möbelverkstad", "crafts",
     "Vi tillverkar bord och stolar av massivt trä.", "Slipa och olja virke."),
    ("Bilmekaniker", "installation",
     "Bilverkstaden servar personbilar och skåpbilar.", "Byta däck och olja."),
    ("Lastbilschaufför", "transport",
     "Åkeriet kör gods mellan Luleå och Kiruna.", "Följa med på en tur."),
    ("Kock i restaurangkök", "hospitality",
     "Vi serverar lunch till hundra gäster.", "Skala potatis och förbereda sallader."),
    ("Frisör", "beauty", "Salongen klipper och färgar hår.", "Tvätta handdukar."),
    ("Elektriker", "installation", "Firman drar el i nybyggda villor.", "Bära kabel."),
    ("Butiksbiträde i livsmedelsbutik", "sales",
     "Vi har öppet alla dagar.", "Fylla på hyllor och prismärka varor."),
    ("Djurvårdare på djursjukhus", "nature",
     "Vi tar hand om hundar och katter.", "Mata djuren och städa burarna."),
    ("Lagerarbetare", "transport", "Vi skickar paket till hela landet.", "Plocka order."),
    ("Förskollärare", "education", "Vi har fyra avdelningar.", "Läsa sagor."),
    ("Barnskötare på fritidshem", "education",
     "Eleverna kommer efter skoldagen.", "Planera aktiviteter."),
    ("Fastighetsskötare", "installation", "Vi sköter hyreshus och gårdar.", "Byta lampor."),
    ("Bagare på bageri", "crafts", "Vi bakar bröd och bullar varje morgon.", "Baka bröd."),
    ("Konditor", "hospitality", "Konditoriet gör tårtor och bakelser.", "Dekorera tårtor."),
    ("Systemutvecklare", "it", "Vi bygger appar åt kommuner.", "Testa en app."),
    ("Rörmokare", "installation", "VVS-firman installerar värmepumpar.", "Bära rör."),
    ("Svetsare", "manufacturing", "Vi tillverkar stålkonstruktioner.", "Sortera material."),
    ("Vårdbiträde på äldreboende", "health",
     "Boendet har trettio lägenheter.", "Promenera med de boende."),
    ("Brandman", "security",
     "Räddningstjänsten släcker bränder och övar varje vecka.", "Tvätta brandbilen."),
    ("Journalist på lokaltidningen", "culture",
     "Redaktionen skriver nyheter om länet.", "Skriva en kort artikel."),
    ("Bibliotekarie", "culture", "Stadsbiblioteket lånar ut böcker.", "Ställa upp böcker."),
    ("Hotellreceptionist", "hospitality", "Vi har sextio rum.", "Checka in gäster."),
    ("Trädgårdsarbetare", "nature", "Vi odlar blommor och grönsaker.", "Plantera."),
    ("Ekonomiassistent", "admin", "Byrån sköter bokföringen åt småföretag.", "Sortera kvitton."),
    ("Målare", "construction", "Måleriet målar om fasader och trapphus.", "Spackla."),
    ("Lantbrukare på mjölkgård", "nature", "Här finns sjuttio kor.", "Mocka."),
    ("Skogsmaskinförare", "nature", "Vi gallrar och avverkar skog.", "Följa med i maskinen."),
    ("Kontorsassistent", "admin", "Vi tar emot besökare.", "Svara i telefon."),
    ("Lokalvårdare", "cleaning", "Städfirman städar kontor och skolor.", "Dammsuga."),
]

# query -> a title it must find
RECALL = [
    ("sköterska", "Undersköterska i hemtjänsten"),
    ("sköterska", "Tandsköterska"),
    ("undersköterskan", "Undersköterska i hemtjänsten"),
    ("sköterskor", "Sjuksköterska på vårdcentral"),
    ("tandsköterskan", "Tandsköterska"),
    ("verkstad", "Snickare i möbelverkstad"),
    ("möbelverkstaden", "Snickare i möbelverkstad"),
    ("snickeriet", "Snickare i möbelverkstad"),
    ("snickares", "Snickare i möbelverkstad"),
    ("snickarna", "Snickare i möbelverkstad"),
    ("hantverk", "Snickare i möbelverkstad"),
    ("hantverk", "Bagare på bageri"),
    ("möbel", "Snickare i möbelverkstad"),
    ("mekanikern", "Bilmekaniker"),
    ("bilverkstad", "Bilmekaniker"),
    ("chaufför", "Lastbilschaufför"),
    ("lastbilar", "Lastbilschaufför"),
    ("restaurangköket", "Kock i restaurangkök"),
    ("kök", "Kock i restaurangkök"),
    ("kockar", "Kock i restaurangkök"),
    ("frisörer", "Frisör"),
    ("salongen", "Frisör"),
    ("elektrikern", "Elektriker"),
    ("livsmedel", "Butiksbiträde i livsmedelsbutik"),
    ("butiken", "Butiksbiträde i livsmedelsbutik"),
    ("biträde", "Vårdbiträde på äldreboende"),
    ("djursjukhuset", "Djurvårdare på djursjukhus"),
    ("sjukhus", "Djurvårdare på djursjukhus"),
    ("djurvård", "Djurvårdare på djursjukhus"),
    ("lager", "Lagerarbetare"),
    ("lagret", "Lagerarbetare"),
    ("förskolan", "Förskollärare"),
    ("lärare", "Förskollärare"),
    ("lärarna", "Förskollärare"),
    ("fritids", "Barnskötare på fritidshem"),
    ("barnskötaren", "Barnskötare på fritidshem"),
    ("fastighet", "Fastighetsskötare"),
    ("skötare", "Fastighetsskötare"),
    ("bageriet", "Bagare på bageri"),
    ("bagaren", "Bagare på bageri"),
    ("konditoriet", "Konditor"),
    ("utvecklare", "Systemutvecklare"),
    ("vvs", "Rörmokare"),
    ("svetsning", "Svetsare"),
    ("äldreboendet", "Vårdbiträde på äldreboende"),
    ("räddningstjänsten", "Brandman"),
    ("brandmannen", "Brandman"),
    ("tidning", "Journalist på lokaltidningen"),
    ("biblioteket", "Bibliotekarie"),
    ("hotellet", "Hotellreceptionist"),
    ("receptionen", "Hotellreceptionist"),
    ("trädgård", "Trädgårdsarbetare"),
    ("arbetare", "Trädgårdsarbetare"),
    ("ekonomi", "Ekonomiassistent"),
    ("assistenten", "Ekonomiassistent"),
    ("målaren", "Målare"),
    ("måleri", "Målare"),
    ("mjölkgården", "Lantbrukare på mjölkgård"),
    ("gård", "Lantbrukare på mjölkgård"),
    ("skogsmaskin", "Skogsmaskinförare"),
    ("maskinförare", "Skogsmaskinförare"),
    ("kontoret", "Kontorsassistent"),
    ("städning", "Lokalvårdare"),
    ("vård", "Vårdbiträde på äldreboende"),
    ("sjukvård", "Undersköterska i hemtjänsten"),
    ("naturbruk", "Lantbrukare på mjölkgård"),
    ("undersköterska hemtjänst", "Undersköterska i hemtjänsten"),
    ("snickare verkstad", "Snickare i möbelverkstad"),
    ("kock restaurang", "Kock i restaurangkök"),
    ("Lastbilschaufför i Luleå", "Lastbilschaufför"),
]


def offered(title: str, sector: str = "admin", description: str = "", tasks: str = "",
            **fields: Any) -> None:
    organisation = factories.OrganisationFactory(name=f"Arbetsplats {len(title)} AB")
    placement = factories.PlacementFactory(title=title, sector=sector, description=description,
                                           tasks=tasks, organisation=organisation,
                                           city="Luleå", **fields)
    factories.PlacementOfferFactory(placement=placement, first_week=SOON, last_week=SOON)


def titles(text: str) -> list[str]:
    return [p.title for p in search(CatalogueQuery(text=text), per_page=100).items]


def test_the_recall_set_is_large_enough():
    assert len(RECALL) >= 40 and len({query for query, _ in RECALL}) >= 40


def test_swedish_queries_find_compounds_and_inflected_forms(db):
    for placement in PLACEMENTS:
        offered(*placement)
    missed = [(query, wanted) for query, wanted in RECALL if wanted not in titles(query)]
    assert missed == [], f"{len(missed)} of {len(RECALL)} queries missed: {missed}"


def test_words_found_as_words_rank_before_words_found_inside_longer_words(db):
    offered("Restaurangkock", "hospitality", "Laga lunch.")
    offered("Kökschef", "hospitality", "Du leder kockarna i köket.")
    offered("Servitör", "hospitality", "Duka borden.")
    assert titles("kock") == ["Kökschef", "Restaurangkock"]
    assert titles("kockar") == ["Kökschef", "Restaurangkock"]


def test_among_words_found_inside_longer_words_the_title_ranks_first(db):
    offered("Kock", "hospitality", "Vi samarbetar med undersköterskorna på avdelningen.")
    offered("Undersköterska", "health", "Arbeta på avdelningen.")
    assert titles("sköterska") == ["Undersköterska", "Kock"]


def test_every_word_must_be_found_one_way_or_the_other(db):
    offered("Snickare i möbelverkstad", "crafts", "Vi bygger bord.")
    offered("Snickare på bygget", "construction", "Vi bygger hus.")
    assert titles("snickare verkstad") == ["Snickare i möbelverkstad"]
    assert titles("snickare flygplan") == []


def test_a_short_stem_is_not_searched_inside_other_words(db):
    """Snowball stems "kontor" to "kont" and "lärare" to "lär": inside words those would
    find every "kontakt" and "klär"; the word itself is searched instead."""
    offered("Kontorsassistent", "admin", "Sortera post.")
    offered("Kock", "hospitality", "Kontakta oss gärna. Du klär dig i kockrock.")
    offered("Förskollärare", "education", "Läsa sagor.")
    assert titles("kontor") == ["Kontorsassistent"]
    assert titles("lärare") == ["Förskollärare"]


def test_stop_words_are_never_searched_inside_words(db):
    offered("Mekaniker", "installation", "Vi lagar bilar.")
    offered("Kock", "hospitality", "Laga mat.")
    assert query_words("och i på att") == []
    assert len(titles("och i på att")) == 2, "only stop words: as if no text was given"
    assert titles("mekaniker och") == ["Mekaniker"]


@pytest.mark.parametrize(("word", "expected"), [
    ("snickares", ("snick",)),
    ("snickeriet", ("snick",)),  # -et, then the workplace's -eri
    ("möbelverkstaden", ("möbelverkst",)),
    ("lagret", ("lager", "lagr")),  # the e the ending pushed out is put back
    ("förskolan", ("förskol",)),
    ("kontor", ("kontor",)),  # Snowball's "kont" is too short to search inside words
    ("huset", ("hus",)),  # a three-letter word is its own root
    ("fastighets", ("fastighet",)),
    ("tidningen", ("tidning",)),  # not "tid": too short
    ("el", ()),  # only the stemmed search finds two-letter words
])
def test_roots_of_a_query_word(word, expected):
    assert roots(word) == expected
