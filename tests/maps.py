"""Reading the pick map a form page draws, as the browser's script does."""


def map_json(page: str) -> str:
    """The text of the page's ``pick-map-data`` script (what ``grid-map.js`` parses)."""
    start = page.index('<script id="pick-map-data" type="application/json">')
    return page[page.index(">", start) + 1 : page.index("</script>", start)]
