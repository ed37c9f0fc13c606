import pytest
from django.core.paginator import Paginator

from motcua.catalog import selectors, services
from motcua.catalog.tests.factories import make_agency, make_field, make_procedure
from motcua.lib.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    ho_tich = make_field("Hộ tịch")
    dat_dai = make_field("Đất đai")
    khai_sinh = make_procedure("1.001193", "Thủ tục đăng ký khai sinh", field=ho_tich)
    lien_thong = make_procedure(
        "2.000986",
        "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế",
        field=ho_tich,
        online_level="full",
    )
    ket_hon = make_procedure("1.000894", "Thủ tục đăng ký kết hôn", field=ho_tich)
    gcn = make_procedure(
        "1.013978", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", field=dat_dai, level="province"
    )
    old = make_procedure("1.000001", "Đăng ký khai sinh (thủ tục cũ)", field=ho_tich, active=False)
    commune = make_agency()
    services.offering_create(agency=commune, procedure=khai_sinh, local_time=3, actor=None)
    services.offering_create(agency=commune, procedure=ket_hon, actor=None)
    return {
        "khai_sinh": khai_sinh,
        "lien_thong": lien_thong,
        "ket_hon": ket_hon,
        "gcn": gcn,
        "old": old,
        "commune": commune,
    }


def codes(qs) -> list[str]:
    return [p.code for p in qs]


@pytest.mark.parametrize(
    "q", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "  đăng   ký KHAI sinh "]
)
def test_the_three_spellings_find_the_same_active_procedures_exact_name_first(catalogue, q):
    # "Thủ tục đăng ký khai sinh" is the exact name ("Thủ tục" in front); the other only holds it.
    assert codes(selectors.procedure_search(q=q)) == ["1.001193", "2.000986"]


@pytest.mark.parametrize(
    "q", ["Thủ tục đăng ký kết hôn", "thu tuc dang ky ket hon", "đăng ký kết hôn", "DANG KY KET HON"]
)
def test_an_exact_name_match_ranks_first_accents_or_not(catalogue, q):
    make_procedure("2.000528", "Cấp bản sao trích lục đăng ký kết hôn", field=catalogue["khai_sinh"].field)
    make_procedure("1.001022", "Đăng ký kết hôn có yếu tố nước ngoài", field=catalogue["khai_sinh"].field)
    # By name alone the other two come first ("cap …", "dang ky ket hon co …" < "thu tuc …").
    assert codes(selectors.procedure_search(q=q))[0] == "1.000894"


def test_the_last_word_matches_as_a_prefix_and_a_code_is_searchable(catalogue):
    assert codes(selectors.procedure_search(q="ket h")) == ["1.000894"]
    assert codes(selectors.procedure_search(q="khai s")) == ["2.000986", "1.001193"]
    assert codes(selectors.procedure_search(q="1.013978")) == ["1.013978"]
    assert codes(selectors.procedure_search(q="khai sinh thuong tru")) == ["2.000986"]
    assert codes(selectors.procedure_search(q="khai sinh ly hon")) == []
    assert codes(selectors.procedure_search(q="xyzzy")) == []


def test_without_a_query_every_active_procedure_is_listed_by_name(catalogue):
    assert codes(selectors.procedure_search()) == ["1.013978", "2.000986", "1.000894", "1.001193"]


def test_filters_by_field_level_agency_and_online_level(catalogue):
    assert codes(selectors.procedure_search(field="dat-dai")) == ["1.013978"]
    assert codes(selectors.procedure_search(q="dang ky", field="ho-tich")) == [
        "2.000986",
        "1.000894",
        "1.001193",
    ]
    assert codes(selectors.procedure_search(level="province")) == ["1.013978"]
    assert codes(selectors.procedure_search(agency="000.00.31.H13")) == ["1.000894", "1.001193"]
    assert codes(selectors.procedure_search(q="khai sinh", agency="000.00.31.H13")) == ["1.001193"]
    assert codes(selectors.procedure_search(online_level="full")) == ["2.000986"]


def test_unknown_filter_values_are_refused_in_vietnamese(catalogue):
    with pytest.raises(NotFound, match="Không có lĩnh vực mã khong-co"):
        selectors.procedure_search(field="khong-co")
    with pytest.raises(NotFound, match="Không có cơ quan mã 000.00.99.H99"):
        selectors.procedure_search(agency="000.00.99.H99")
    with pytest.raises(InvalidInput, match="Cấp thực hiện không hợp lệ: huyen"):
        selectors.procedure_search(level="huyen")
    with pytest.raises(InvalidInput, match="Mức độ trực tuyến không hợp lệ"):
        selectors.procedure_search(online_level="4")


def test_a_search_page_costs_the_same_few_queries(catalogue, django_assert_num_queries):
    with django_assert_num_queries(3):  # term frequencies, count, page
        page = Paginator(selectors.procedure_search(q="dang ky"), 20).page(1)
        assert [p.field.name for p in page.object_list] == ["Đất đai", "Hộ tịch", "Hộ tịch", "Hộ tịch"]


def test_the_detail_prefetches_everything_in_a_fixed_number_of_queries(catalogue, django_assert_num_queries):
    services.process_template_save(
        procedure=catalogue["khai_sinh"],
        steps=[
            {"name": "Tiếp nhận", "performer": "receiving_role", "role": "receptionist", "budget_hours": 8},
            {"name": "Thẩm định", "performer": "handling_role", "role": "specialist", "budget_hours": 32},
        ],
        actor=None,
    )
    # procedure + field, documents, fees, results, legal bases, default template, its steps
    with django_assert_num_queries(7):
        procedure = selectors.procedure_detail("1.001193")
        assert procedure.field.name == "Hộ tịch"
        assert [d.code for d in procedure.documents.all()] == ["TP01"]
        assert [f.text for f in procedure.fees.all()] == ["Miễn phí"]
        assert [r.name for r in procedure.results.all()] == ["Giấy khai sinh"]
        assert list(procedure.legal_bases.all()) == []
        assert [s.name for s in selectors.default_process_steps(procedure)] == ["Tiếp nhận", "Thẩm định"]


def test_an_unknown_or_inactive_procedure_is_not_found(catalogue):
    with pytest.raises(NotFound, match="Không tìm thấy thủ tục mã 1.000001"):
        selectors.procedure_detail("1.000001")
    with pytest.raises(NotFound):
        selectors.procedure_detail("9.999999")


def test_fields_with_counts_count_active_procedures(catalogue):
    assert [(f.code, f.procedure_count) for f in selectors.fields_with_counts()] == [
        ("dat-dai", 1),
        ("ho-tich", 3),
    ]


def test_the_counts_are_kept_between_pages_and_follow_a_change(catalogue, django_assert_num_queries):
    selectors.fields_with_counts()
    with django_assert_num_queries(0):  # the second page reads no procedure
        assert len(selectors.fields_with_counts()) == 2
    land = catalogue["gcn"]
    land.active = False
    land.save()  # saved outside the services: the model signal tells the kept copy
    assert [(f.code, f.procedure_count) for f in selectors.fields_with_counts()] == [("ho-tich", 3)]


def test_where_to_hand_in_and_the_time_that_applies_there(catalogue):
    khai_sinh, commune = catalogue["khai_sinh"], catalogue["commune"]
    agencies = list(selectors.procedure_offering_agencies(khai_sinh))
    assert [(a.code, a.local_time) for a in agencies] == [("000.00.31.H13", 3)]
    assert selectors.procedure_time_for(khai_sinh) == (5, "working_days")
    assert selectors.procedure_time_for(khai_sinh, agency=commune) == (3, "working_days")
    assert selectors.procedure_time_for(catalogue["ket_hon"], agency=commune) == (5, "working_days")
    assert list(selectors.procedure_offering_agencies(catalogue["gcn"])) == []


def test_no_time_is_given_while_the_unit_is_unknown():
    procedure = make_procedure(time_unit=None)
    assert selectors.procedure_time_for(procedure) is None


@pytest.mark.parametrize(
    ("word", "successor"),
    [("dang", "danh"), ("ky", "kz"), ("az", "b"), ("a9", "aa"), ("zz", None), ("1", "2")],
)
def test_a_prefix_ends_before_the_successor_of_its_last_character(word, successor):
    assert selectors.prefix_successor(word) == successor


def test_intake_reference_is_kept_until_the_catalogue_or_an_agency_changes(catalogue):
    from motcua.org import services as org_services

    reference = selectors.intake_reference("1.001193")
    assert reference.procedure.code == "1.001193"
    assert [(o.agency.code, o.local_time) for o in reference.offerings] == [(catalogue["commune"].code, 3)]
    assert [d.code for d in reference.documents] == [d.code for d in catalogue["khai_sinh"].documents.all()]
    assert selectors.intake_reference(" 1.001193 ") is reference  # kept
    assert selectors.intake_reference("0.000000") is None
    # Moving an agency rewrites paths with a bulk update: the organisation says so, the copy goes.
    commune = org_services.agency_create(code="000.00.31.H98", name="UBND xã Thử", kind="peoples_committee")
    services.offering_create(agency=commune, procedure=catalogue["khai_sinh"], actor=None)
    parent = org_services.agency_create(code="000.00.99.H98", name="UBND tỉnh Thử", kind="peoples_committee")
    reference = selectors.intake_reference("1.001193")
    assert selectors.intake_reference("1.001193") is reference
    org_services.agency_move(agency=commune, parent=parent)
    moved = selectors.intake_reference("1.001193")
    assert moved is not reference
    assert [o.agency.path for o in moved.offerings if o.agency_id == commune.pk] == [
        f"/{parent.pk}/{commune.pk}/"
    ]


def test_a_common_search_is_kept_exact_until_the_catalogue_changes(catalogue, django_assert_num_queries):
    field = catalogue["khai_sinh"].field
    for n in range(selectors.KEEP_FROM + 10):
        make_procedure(f"8.{n:06d}", f"Cấp giấy phép thử nghiệm số {n:03d}", field=field)
    first = Paginator(selectors.procedure_search(q="cap giay phep"), 20)
    assert first.count == selectors.KEEP_FROM + 10
    assert codes(first.page(1).object_list)[:2] == ["8.000000", "8.000001"]
    # Kept: the next page reads the word counts and its 20 rows, not a count or a ranking of all.
    with django_assert_num_queries(2):
        page = Paginator(selectors.procedure_search(q="cap giay phep"), 20).page(6)
        assert codes(page.object_list) == [f"8.{n:06d}" for n in range(100, 110)]
        assert [p.field.name for p in page.object_list][:1] == ["Hộ tịch"]
    # A change anywhere in the catalogue: the next answer is computed again, and exact.
    make_procedure("8.999999", "Cấp giấy phép thử nghiệm bổ sung", field=field)
    again = Paginator(selectors.procedure_search(q="cap giay phep"), 20)
    assert again.count == selectors.KEEP_FROM + 11
    assert codes(again.page(1).object_list)[0] == "8.999999"  # "… bổ sung" sorts before "… số 000"
    # The listing is kept the same way: 4 active procedures of the fixture and the 111 above.
    assert Paginator(selectors.procedure_search(), 20).count == 4 + selectors.KEEP_FROM + 11


def test_a_kept_listing_follows_a_bulk_load_once_the_index_is_rebuilt(catalogue):
    from motcua.catalog.models import Procedure

    assert selectors.procedure_search().count() == 4  # kept from here on
    Procedure.objects.bulk_create(  # a bulk load: no service, no signal
        [
            Procedure(code=f"7.{n:06d}", name=f"Cấp phép thử {n}", field=catalogue["gcn"].field)
            for n in range(3)
        ]
    )
    services.search_index_rebuild()
    assert selectors.procedure_search().count() == 7


def test_the_procedures_an_agency_offers_are_kept_until_an_offering_changes(
    catalogue, django_assert_num_queries
):
    commune = catalogue["commune"]
    # By name in the database's order (the collation decides where "khai" and "kết" fall).
    assert sorted(selectors.procedure_choices([commune.pk])) == [
        ("1.000894", "Thủ tục đăng ký kết hôn"),
        ("1.001193", "Thủ tục đăng ký khai sinh"),
    ]
    with django_assert_num_queries(0):  # kept in this process under the catalogue's version
        assert len(selectors.procedure_choices([commune.pk, commune.pk])) == 2
    assert selectors.procedure_choices([]) == []
    # A new offering shows at once; a long name is shortened as the filter's list shows it.
    services.offering_create(agency=commune, procedure=catalogue["lien_thong"], actor=None)
    labels = dict(selectors.procedure_choices([commune.pk]))
    assert len(labels) == 3
    long = labels["2.000986"]
    assert len(long) == 90 and long.endswith("…") and catalogue["lien_thong"].name.startswith(long[:-1])


def test_the_public_page_of_a_procedure_is_kept_until_the_catalogue_changes(
    catalogue, django_assert_num_queries
):
    procedure, agencies = selectors.procedure_for_page("1.001193")
    assert procedure.code == "1.001193" and [a.code for a in agencies] == [catalogue["commune"].code]
    with django_assert_num_queries(0):
        assert selectors.procedure_for_page("1.001193")[0] is procedure
    with pytest.raises(NotFound):  # an unknown code is not kept: asked again, asked of the database
        selectors.procedure_for_page("9.999999")
    services.offering_create(agency=make_agency(code="000.00.32.H99"), procedure=procedure, actor=None)
    again, agencies = selectors.procedure_for_page("1.001193")
    assert again is not procedure and len(agencies) == 2
