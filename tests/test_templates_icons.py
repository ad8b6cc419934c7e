"""STK501 (mdi-icon) and STK502 (unknown-tabler-icon) in templates, JS and Python."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stk_lint.templates import icons
from stk_lint.testing import apply_fixes, lint, where

PAGE = "app/templates/things/index.html"


def test_every_mapping_target_is_a_tabler_icon():
    names = icons.shipped_tabler_names()
    missing = {mdi: tabler for mdi, tabler in icons.mdi_to_tabler().items() if tabler not in names}
    assert missing == {}
    assert len(icons.mdi_to_tabler()) > 200


def test_shipped_list_records_its_source():
    from importlib import resources

    text = resources.files("stk_lint").joinpath("data", "tabler-icons.txt").read_text("utf-8")
    header = text.splitlines()[1]
    assert "@tabler/icons 3." in header and "MIT License" in header
    names = icons.shipped_tabler_names()
    assert {"pencil", "trash", "x", "users-group", "heart-filled"} <= names
    assert "delete" not in names and "" not in names


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<v-icon>mdi-pencil</v-icon>", "<v-icon>ti ti-pencil</v-icon>"),
        ('<v-btn icon="mdi-close"></v-btn>', '<v-btn icon="ti ti-x"></v-btn>'),
        ('<i class="mdi mdi-account"></i>', '<i class="ti ti-user"></i>'),
        (
            '<i class="me-2 mdi mdi-delete text-red"></i>',
            '<i class="me-2 ti ti-trash text-red"></i>',
        ),
        (
            '<v-list-item append-inner-icon="mdi-magnify">',
            '<v-list-item append-inner-icon="ti ti-search">',
        ),
        (
            "<v-btn :icon=\"on ? 'mdi-eye' : 'mdi-eye-off'\">",
            "<v-btn :icon=\"on ? 'ti ti-eye' : 'ti ti-eye-off'\">",
        ),
        (
            '<v-checkbox true-icon="mdi-check" false-icon="mdi-close">',
            '<v-checkbox true-icon="ti ti-check" false-icon="ti ti-x">',
        ),
        ("{{ icon_button('mdi-pencil') }}", "{{ icon_button('ti ti-pencil') }}"),
    ],
)
def test_mdi_in_markup_is_fixed_to_tabler(markup, expected):
    findings = lint(markup + "\n", PAGE, select=["STK501"])
    assert findings and all(f.fix is not None for f in findings)
    assert apply_fixes(markup + "\n", findings) == expected + "\n"


def test_unknown_mdi_name_has_no_fix_but_a_pointer():
    [finding] = lint("<v-icon>mdi-owl</v-icon>\n", PAGE, select=["STK501"])
    assert finding.fix is None and "tabler.io/icons" in finding.message


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@mdi/font@7.4.47/css/materialdesignicons.min.css">',
        "<script>\nconst vuetify = createVuetify({ icons: { defaultSet: 'mdi' } });\n</script>",
        "<script type=\"module\">\nimport '@mdi/font/css/materialdesignicons.css';\n</script>",
        '<style>\n@import url("https://cdn.jsdelivr.net/npm/@mdi/font/css/materialdesignicons.min.css");\n'
        ".card { margin: 0; }\n</style>",
    ],
)
def test_loading_the_mdi_font_fires(markup):
    assert [f.code for f in lint(markup + "\n", PAGE, select=["STK501"])] == ["STK501"]


@pytest.mark.parametrize(
    "markup",
    [
        "<p>The old pages used mdi-pencil; we moved to Tabler.</p>",
        '<a href="/docs/mdi-migration">Icons</a>',
        '<img src="/static/img/mdi-logo.png" alt="mdi-logo">',
        '<v-text-field label="mdi-name"></v-text-field>',
        "<script>\nconst url = '/files/mdi-report.pdf';\nconst re = /mdi-[a-z]+/;\n</script>",
        "<script>\nconst vuetify = createVuetify({ icons: { defaultSet: 'ti' } });\n</script>",
        "<!-- <v-icon>mdi-pencil</v-icon> -->",
    ],
)
def test_mdi_lookalikes_are_clean(markup):
    assert lint(markup + "\n", PAGE, select=["STK501"]) == []


def test_icons_inside_jinja_control_flow_in_v_icon_text():
    source = (
        '{% extends "layout.html" %}\n'
        "{% block content %}\n"
        '<v-btn variant="text" @click="refresh">\n'
        "  <v-icon>{% if current_user.has_role('admin') %}mdi-cog{% else %}ti ti-refresh"
        "{% endif %}</v-icon>\n"
        "  <v-icon start>{% if saved %}ti ti-chek{% endif %}</v-icon>\n"
        "</v-btn>\n"
        "{% endblock %}\n"
    )
    findings = lint(source, "stk/templates/settings/index.html")
    assert where(findings) == [(4, 50, "STK501"), (5, 34, "STK502")]
    assert "{% if current_user.has_role('admin') %}ti ti-settings{% else %}" in apply_fixes(
        source, findings
    )


COMPONENT_JS = (
    "// The cart badge every shop page registers.\n"
    "export const CartBadge = {\n"
    '  props: ["count"],\n'
    "  delimiters: config.delimiters,\n"
    "  template: `\n"
    '    <v-chip prepend-icon="mdi-cart" color="primary" variant="tonal">\n'
    "      \\${ count }<v-icon end>ti ti-chevron-rigth</v-icon>\n"
    "    </v-chip>`,\n"
    "};\n"
    "export const EmptyCart = {\n"
    '  template: \'<v-alert type="info" icon="mdi-cart-off">Your cart is empty</v-alert>\',\n'
    "};\n"
    'export const hint = "Icons: <b>mdi-cart</b> became ti-shopping-cart";\n'
)


def test_icons_in_component_templates_of_js_files():
    findings = lint(COMPONENT_JS, "stk/static/js/cart.js")
    assert where(findings) == [(6, 27, "STK501"), (7, 33, "STK502"), (11, 41, "STK501")]
    fixed = apply_fixes(COMPONENT_JS, findings)
    assert 'prepend-icon="ti ti-shopping-cart"' in fixed
    assert 'icon="mdi-cart-off"' in fixed  # no Tabler equivalent known: no fix
    assert "<b>mdi-cart</b>" in fixed  # prose in a string, not an icon


def test_icons_in_component_templates_of_page_scripts():
    source = (
        '{% extends "layout.html" %}\n'
        "{% block js %}\n"
        "<script>\n"
        "app.component('cart-badge', {\n"
        "  delimiters: config.delimiters,\n"
        "  template: '<v-chip prepend-icon=\"mdi-cart\">${ count }</v-chip>',\n"
        "});\n"
        "</script>\n"
        "{% endblock %}\n"
    )
    assert where(lint(source, "stk/templates/shop/index.html")) == [(6, 36, "STK501")]


def test_navigation_js_icons_are_checked_and_fixed():
    source = (
        "const navigation = [\n"
        "  { title: 'Dashboard', icon: 'mdi-view-dashboard', to: '/dashboard' },\n"
        "  { title: 'Users', icon: \"ti ti-users\", to: '/users', role: 'admin' },\n"
        "  { title: 'Roles', icon: `ti ti-shield-person`, to: '/roles', role: 'admin' },\n"
        "  { title: 'Dynamic', icon: `ti ti-${kind}`, to: '/x' },\n"
        "  { title: 'Dynamic', icon: `ti ti-arrow${dir}`, to: '/y' },\n"
        "];\n"
    )
    findings = lint(source, "app/static/js/navigation.js")
    assert where(findings) == [(2, 32, "STK501"), (4, 31, "STK502")]
    assert "did you mean `ti-shield`" in findings[1].message
    assert "icon: 'ti ti-layout-dashboard'" in apply_fixes(source, findings)


def test_python_nav_definitions():
    source = (
        '"""Navigation: mdi-home was the old icon."""\n'
        "NAV = [\n"
        '    {"title": "Home", "icon": "mdi mdi-home", "to": "/"},\n'
        '    {"title": "Users", "icon": "ti ti-users", "to": "/users"},\n'
        '    {"title": "Keys", "icon": "ti ti-keys-x", "to": "/keys"},\n'
        "]\n"
        'PATTERN = b"mdi-home"\n'
    )
    findings = lint(source, "app/navigation.py")
    assert where(findings) == [(3, 31, "STK501"), (5, 31, "STK502")]
    fixed = apply_fixes(source, findings)
    assert '"icon": "ti ti-home"' in fixed and '"""Navigation: mdi-home' in fixed


def test_unknown_tabler_names_in_markup():
    source = (
        '<i class="ti ti-pencil"></i><i class="ti-pencil-edit ti"></i>\n'
        '<v-btn prepend-icon="ti ti-plus"></v-btn><v-btn append-icon="ti ti-plus-big"></v-btn>\n'
        '<i class="tix ti-nope"></i><i class="ti ti-brand-{{ provider }}"></i>\n'
    )
    findings = lint(source, PAGE, select=["STK502"])
    assert where(findings) == [(1, 39, "STK502"), (2, 65, "STK502")]
    assert "did you mean `ti-pencil`" in findings[0].message


def test_vendored_stylesheet_decides(tmp_path):
    project = tmp_path / "proj"
    (project / "app" / "static" / "icons").mkdir(parents=True)
    (project / "app" / "templates").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    css = project / "app" / "static" / "icons" / "tabler-icons.min.css"
    css.write_text(
        '.ti{font-family:"tabler-icons"}.ti-pencil:before{content:"\\ea01"}'
        '.ti-custom-thing::before{content:"\\ea02"}'
    )
    template = project / "app" / "templates" / "page.html"
    source = '<i class="ti ti-custom-thing"></i><i class="ti ti-pencil"></i><i class="ti ti-trash"></i>\n'
    findings = lint(source, str(template), select=["STK502"])
    assert [f.message.split("`")[1] for f in findings] == ["ti-trash"]
    # A newer stylesheet (new mtime) is read again.
    css.write_text(css.read_text() + '.ti-trash:before{content:"\\ea03"}')
    os.utime(css, ns=(1, 10**18))
    assert lint(source, str(template), select=["STK502"]) == []

    # A project object can hand the names in directly.
    class Project:
        tabler_icons = frozenset({"trash"})

    assert len(lint(source, str(template), select=["STK502"], project=Project())) == 2


def test_names_from_css_handles_both_pseudo_element_forms():
    css = ".ti-a-b:before{content:'x'}.ti-heart::before{content:'y'}.tix{}"
    assert icons.names_from_css(css) == {"a-b", "heart"}


def test_icons_behind_jinja_tags_and_in_jinja_code():
    source = (
        '<i class="ti {% if ok %}ti-check{% else %}ti-nope{% endif %} me-1"></i>\n'
        '<i class="ti ti-{{ icon }}"></i>{% set nav = [{"icon": "mdi-home"}] %}\n'
        '{# {{ "mdi-x" }} is commented out #}{{ nav_link("Home", icon="ti ti-hom") }}\n'
    )
    findings = lint(source, PAGE)
    assert where(findings) == [(1, 43, "STK502"), (2, 57, "STK501"), (3, 66, "STK502")]
    assert apply_fixes(source, findings).count('"icon": "ti ti-home"') == 1


def test_update_script_renders_the_list_from_the_npm_package(tmp_path):
    import importlib.util
    import io
    import json
    import tarfile

    script = Path(__file__).parent.parent / "scripts" / "update_tabler_icons.py"
    spec = importlib.util.spec_from_file_location("update_tabler_icons", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tarball = tmp_path / "icons-9.9.9.tgz"
    files = {
        "package/package.json": json.dumps({"version": "9.9.9", "license": "MIT"}),
        "package/LICENSE": "MIT License\n\nCopyright (c) 2020 Someone\n",
        "package/icons.json": json.dumps(
            {
                "pencil": {"styles": {"outline": {}}},
                "heart": {"styles": {"outline": {}, "filled": {}}},
            }
        ),
    }
    with tarfile.open(tarball, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    rendered = module.render(*module.read_package(tarball))
    lines = rendered.splitlines()
    assert "@tabler/icons 9.9.9 (MIT License, Copyright (c) 2020 Someone)" in lines[1]
    assert [line for line in lines if not line.startswith("#")] == [
        "heart",
        "heart-filled",
        "pencil",
    ]


def test_v_icon_text_binding_names_an_icon():
    page = '<v-icon v-text="\'mdi-home\'"></v-icon>\n<v-icon v-text="item.icon"></v-icon>\n'
    findings = lint(page, PAGE, select=["STK501"])
    assert where(findings) == [(1, 18, "STK501")]
    assert apply_fixes(page, findings).startswith("<v-icon v-text=\"'ti ti-home'\">")


def test_style_import_of_the_mdi_font_points_at_the_rule():
    page = '<style>\n  @import "@mdi/font/css/materialdesignicons.css";\n  .x { color: red; }\n</style>\n'
    [finding] = lint(page, PAGE, select=["STK501"])
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 3, 2, 51)


def test_mdi_helper_classes_get_their_own_advice():
    page = (
        '<i class="mdi mdi-loading mdi-spin"></i>\n'
        '<span class="mdi-light mdi-24px mdi-rotate-90"></span>\n'
    )
    findings = lint(page, PAGE, select=["STK501"])
    assert where(findings) == [
        (1, 11, "STK501"),
        (1, 27, "STK501"),
        (2, 14, "STK501"),
        (2, 24, "STK501"),
        (2, 33, "STK501"),
    ]
    helpers = [f.message for f in findings[1:]]
    assert all("helper class; it has no effect without the MDI font" in m for m in helpers)
    assert "use a Tabler icon" not in " ".join(helpers)
    assert "<v-progress-circular indeterminate>" in helpers[0]
    assert "`font-size`" in helpers[2] and "`transform`" in helpers[3]
    assert all(f.fix is None for f in findings[1:])


def test_prose_in_script_and_python_strings_is_not_an_icon():
    script = (
        "const hint = 'Replace mdi-home with ti-home';\n"
        'const note = "mdi-home is old, ti ti-nope too";\n'
        "const icon = 'mdi-home';\n"
        "const classes = 'me-2 mdi mdi-account';\n"
        "const tabler = `ti ti-nope ${extra}`;\n"
    )
    findings = lint(script, "app/static/js/hints.js", select=["STK501", "STK502"])
    assert where(findings) == [(3, 15, "STK501"), (4, 23, "STK501"), (5, 20, "STK502")]
    page = "<script>\n" + script + "</script>\n"
    assert where(lint(page, PAGE, select=["STK501", "STK502"])) == [
        (4, 15, "STK501"),
        (5, 23, "STK501"),
        (6, 20, "STK502"),
    ]
    python = (
        'HINT = "Replace mdi-home with ti-home"\n'
        'ICON = "mdi-home"\n'
        'OTHER = "Use ti ti-nope here"\n'
        'TABLER = "ti ti-nope"\n'
    )
    assert where(lint(python, "app/nav.py", select=["STK501", "STK502"])) == [
        (2, 8, "STK501"),
        (4, 10, "STK502"),
    ]


def test_every_rename_goes_from_a_missing_name_to_a_shipped_one():
    shipped = icons.shipped_tabler_names()
    renames = icons.tabler_renames()
    assert len(renames) > 40
    assert all(old not in shipped and new in shipped for old, new in renames.items())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2fa", "auth-2fa"),
        ("360-view", "view-360-number"),
        ("123", "number-123"),
        ("3d-cube-sphere", "cube-3d-sphere"),
        ("12-hours", "hours-12"),
        ("24-hours", "hours-24"),
        ("circle-1", "circle-number-1"),
        ("circle-1-filled", "circle-number-1-filled"),
    ],
)
def test_names_tabler_3_renamed_suggest_the_new_name(old, new):
    [finding] = lint(f'<i class="ti ti-{old}"></i>\n', PAGE, select=["STK502"])
    assert finding.message.endswith(f"Tabler Icons 3 renamed it `ti-{new}`")
