"""The GraphiQL page and its assets as a browser receives them: everything from this origin, under a strict
Content-Security-Policy, the assets cacheable forever under a path naming their content, and none of it where
GraphiQL is off. (tests/e2e/test_graphiql_browser.py runs the page in a real browser.)"""

from __future__ import annotations

import re
from importlib.resources import files

from tests.security.test_production import BROWSER, production, serving

ASSET = re.compile(r'(?:src|href)="(graphiql/[0-9a-f]{16}/[\w.-]+)"')
VENDORED = files("lensgraph.app").joinpath("static", "graphiql")


async def graphiql_page(client):
    response = await client.http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200, response.text
    return response


async def test_the_page_loads_everything_from_this_origin_under_a_strict_policy(client):
    page = await graphiql_page(client)

    assert "://" not in page.text  # no CDN, no absolute URL of any host
    assert "<script>" not in page.text and "Cookies" not in page.text  # no inline script, no js-cookie
    policy = dict(directive.strip().split(" ", 1) for directive in page.headers["content-security-policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-cache"
    assets = ASSET.findall(page.text)
    names = [path.rsplit("/", 1)[1] for path in assets]
    assert names[-1] == "graphiql-init.js" and {"graphiql.min.js", "graphiql.min.css", "plugin-explorer.umd.js"} <= {
        *names
    }


async def test_assets_are_the_vendored_files_cached_for_good(client):
    paths = ASSET.findall((await graphiql_page(client)).text)
    assert len(paths) == 8
    for path in paths:
        response = await client.http.get(f"/{path}")
        name = path.rsplit("/", 1)[1]
        assert response.status_code == 200, path
        assert response.content == VENDORED.joinpath(name).read_bytes()
        expected_type = "text/javascript" if name.endswith(".js") else "text/css"
        assert response.headers["content-type"] == f"{expected_type}; charset=utf-8"
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_other_versions_and_files_are_not_served(client):
    page = await graphiql_page(client)
    digest = ASSET.findall(page.text)[0].split("/")[1]
    for path in (
        "/graphiql/0000000000000000/graphiql.min.js",  # a former version: its content is gone
        f"/graphiql/{digest}/VERSIONS.md",
        f"/graphiql/{digest}/graphiql.min.js.map",
        f"/graphiql/{digest}/licenses/react.LICENSE",
        f"/graphiql/{digest}/..%2F..%2Fgraphiql.py",
    ):
        response = await client.http.get(path)
        assert response.status_code == 404, path
        assert "cache-control" not in response.headers


async def test_no_page_and_no_assets_where_graphiql_is_off(settings, client):
    digest = ASSET.findall((await graphiql_page(client)).text)[0].split("/")[1]
    async with serving(production(settings)) as production_client:
        assert (await production_client.http.get("/graphql", headers=BROWSER)).status_code == 404
        assert (await production_client.http.get(f"/graphiql/{digest}/graphiql.min.js")).status_code == 404
    async with serving(production(settings, graphiql=True)) as production_client:
        page = await graphiql_page(production_client)
        assert (await production_client.http.get(f"/{ASSET.findall(page.text)[0]}")).status_code == 200
