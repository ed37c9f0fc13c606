def test_tree_order_reads_the_path_as_numbers():
    from motcua.org.models import Agency
    from motcua.org.selectors import tree_order

    nine, ten = Agency(path="/1/9/"), Agency(path="/1/10/")
    assert sorted([ten, nine], key=tree_order) == [nine, ten]
    assert sorted([Agency(path="/1/9/4/"), nine], key=tree_order)[0] is nine  # parents first
