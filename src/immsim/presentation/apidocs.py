"""The API reference as one static page written from the app's OpenAPI schema: no script, no
stylesheet or font from elsewhere, so ``/docs`` reads the same offline. The machine-readable
schema stays at ``/openapi.json``."""

from __future__ import annotations

import html
import json
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 960px; padding: 0 1rem;
  color: #222; line-height: 1.45; }
section { border-top: 1px solid #ddd; padding: 0.6rem 0; }
.method { display: inline-block; min-width: 3.5rem; font-weight: 700; color: #fff;
  background: #1f5fa8; border-radius: 3px; padding: 0 0.4rem; text-align: center; }
.method.get { background: #2b7a3d; }
code { background: #f3f3f3; padding: 0 0.25rem; }
table { border-collapse: collapse; font-size: 0.9rem; display: block; overflow-x: auto; }
th, td { border-bottom: 1px solid #eee; padding: 0.25rem 0.6rem; text-align: left;
  vertical-align: top; }
"""


def _ref(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not ref:
        return schema
    found: dict[str, Any] = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return found


def _type(schema: dict[str, Any], spec: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"].rsplit("/", 1)[-1])
    if "anyOf" in schema:
        return " or ".join(_type(s, spec) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), spec)}"
    if schema.get("type") == "object" and "additionalProperties" in schema:
        return f"map to {_type(schema['additionalProperties'], spec)}"
    return str(schema.get("type", "any"))


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _bounds(schema: dict[str, Any]) -> str:
    parts = []
    for option in [schema, *schema.get("anyOf", [])]:
        for key, word in (("minimum", "≥"), ("maximum", "≤"), ("minItems", "items ≥")):
            if key in option:
                parts.append(f"{word} {_number(option[key])}")
        if "maxItems" in option:
            parts.append(f"items ≤ {option['maxItems']}")
    return ", ".join(parts)


def _fields(model: dict[str, Any], spec: dict[str, Any]) -> str:
    model = _ref(model, spec)
    rows = []
    required = set(model.get("required", []))
    for name, field in model.get("properties", {}).items():
        default = field.get("default")
        rows.append(
            "<tr>"
            f"<td><code>{html.escape(name)}</code>{' (required)' if name in required else ''}</td>"
            f"<td>{html.escape(_type(field, spec))}</td>"
            f"<td>{html.escape(_bounds(field))}</td>"
            f"<td>{'' if default is None else html.escape(json.dumps(default))}</td>"
            f"<td>{html.escape(field.get('description', ''))}</td>"
            "</tr>"
        )
    if not rows:
        return f"<p>{html.escape(_type(model, spec))}</p>"
    head = "<tr><th>field</th><th>type</th><th>bounds</th><th>default</th><th>meaning</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _operation(path: str, method: str, op: dict[str, Any], spec: dict[str, Any]) -> str:
    parts = [
        f'<section id="{html.escape(method + path)}">'
        f'<h2><span class="method {method}">{method.upper()}</span> <code>{html.escape(path)}</code>'
        f" {html.escape(op.get('summary', ''))}</h2>"
    ]
    if op.get("description"):
        parts.append(f"<p>{html.escape(op['description'])}</p>")
    body = op.get("requestBody", {}).get("content", {})
    for media, content in body.items():
        name = _type(content.get("schema", {}), spec)
        parts.append(f"<h3>Request body ({html.escape(media)}): {html.escape(name)}</h3>")
        parts.append(_fields(content.get("schema", {}), spec))
    for status, answer in op.get("responses", {}).items():
        media = ", ".join(answer.get("content", {})) or "no body"
        parts.append(
            f"<p><b>{html.escape(status)}</b> {html.escape(answer.get('description', ''))}"
            f" ({html.escape(media)})</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def render_docs(spec: dict[str, Any]) -> str:
    """The reference page of an OpenAPI ``spec``."""
    info = spec.get("info", {})
    operations = [
        _operation(path, method, op, spec)
        for path, methods in spec.get("paths", {}).items()
        for method, op in methods.items()
    ]
    title = f"{info.get('title', 'API')} {info.get('version', '')}: API reference"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1><p>{html.escape(info.get("description", ""))}</p>
<p>Every request is validated: a bad one gets status 422 and a list of problems, each naming its
field. The schema itself: <a href="/openapi.json">/openapi.json</a>. The page: <a href="/">/</a>.</p>
{"".join(operations)}
</body></html>
"""
