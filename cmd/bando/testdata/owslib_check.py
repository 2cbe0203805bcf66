"""Reads Bando's OGC API Features service with OWSLib, as a GIS user's script
would, and checks what it reads against the expectations the Go test computed
from the store.

Usage: python3 owslib_check.py < expectations.json, where the JSON holds
  url        the landing page, ending in "/"
  bbox       a box [w, s, e, n] in the province
  limit      a page size
  datetime   a datetime parameter sent to every collection
  expect     {collection id: {"all": n, "in_bbox": n, "at_datetime": n}}
Prints one line per collection and exits 0, or raises on the first mismatch.
"""

import json
import sys

from owslib.ogcapi.features import Features

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def check_page(page, what, matched, limit):
    check(page["type"] == "FeatureCollection", f"{what}: not a FeatureCollection")
    check(page["numberMatched"] == matched, f"{what}: numberMatched {page['numberMatched']}, want {matched}")
    returned = min(limit, matched)
    check(page["numberReturned"] == returned, f"{what}: numberReturned {page['numberReturned']}, want {returned}")
    check(len(page["features"]) == returned, f"{what}: {len(page['features'])} features, want {returned}")


def main():
    cfg = json.load(sys.stdin)
    expect, limit = cfg["expect"], cfg["limit"]
    api = Features(cfg["url"])
    check(CORE in api.conformance()["conformsTo"], "core conformance not declared")
    check(api.api()["openapi"].startswith("3.0"), "the service-desc link does not lead to OpenAPI 3.0")
    ids = api.feature_collections()
    check(sorted(ids) == sorted(expect), f"collections {sorted(ids)}, want {sorted(expect)}")
    w, s, e, n = cfg["bbox"]
    for cid in ids:
        want = expect[cid]
        check(api.collection(cid)["id"] == cid, f"{cid}: description has another id")
        page = api.collection_items(cid, limit=limit)
        check_page(page, f"{cid} items", want["all"], limit)
        check_page(api.collection_items(cid, bbox=[w, s, e, n], limit=limit), f"{cid} bbox", want["in_bbox"], limit)
        # Part 1 requires six numbers (heights) to be accepted too.
        check_page(api.collection_items(cid, bbox=[w, s, -100, e, n, 9000], limit=limit), f"{cid} bbox with heights", want["in_bbox"], limit)
        # A box across the antimeridian, far from the province.
        check_page(api.collection_items(cid, bbox=[170, -10, -170, 10], limit=limit), f"{cid} bbox across the antimeridian", 0, limit)
        # One time filter for every layer, as a time slider sends it.
        check_page(api.collection_items(cid, datetime=cfg["datetime"], limit=limit), f"{cid} datetime", want["at_datetime"], limit)
        if page["features"]:
            first = page["features"][0]
            item = api.collection_item(cid, first["id"])
            check(item["id"] == first["id"], f"{cid}: item {first['id']} comes back as {item['id']}")
        print(f"{cid}: {want['all']} items, {want['in_bbox']} in the box, {want['at_datetime']} at {cfg['datetime']}")


if __name__ == "__main__":
    main()
