"""The static handwriting-rules scan: names resolve to what they bind under Python's scoping, so shadowing is not
flagged, static aliases are, and each finding carries its line."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from llmprep.grading import banned, cardspec, catalogue

ROOT = Path(__file__).resolve().parents[1]
SDPA = ("torch.nn.functional.scaled_dot_product_attention",)
SOFTMAX = ("torch.softmax", "torch.nn.functional.softmax", ".softmax")
MHA = ("torch.nn.MultiheadAttention",)


def flagged(source: str, rules: tuple[str, ...]) -> list[int]:
    """The line of each finding, in the order reported."""
    lines = []
    for problem in banned.scan(source, rules):
        assert problem["status"] == "banned", problem
        match = re.match(r"line (\d+): `.+` is not allowed on this card: write it by hand$", problem["message"])
        assert match, problem["message"]
        lines.append(int(match.group(1)))
    return lines


def case(source: str, rules: tuple[str, ...], lines: list[int], id: str) -> object:
    return pytest.param(source, rules, lines, id=id)


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case("import torch\ny = torch.softmax(x, -1)\n", SOFTMAX, [2], "direct-call"),
        case("y = torch.softmax(x, -1)\n", ("torch.softmax",), [1], "module-name-not-imported"),
        case("import torch.nn.functional as F\ny = F.scaled_dot_product_attention(q, k, v)\n", SDPA, [2], "import-as"),
        case("from torch import topk as pick\npick(x, 3)\n", ("torch.topk",), [2], "from-import-as"),
        case("x = 1\ny = x.softmax(-1)\n", (".softmax",), [2], "method-call"),
        case("import heapq\n", ("import:heapq",), [1], "import-module"),
        case("def f(a):\n    return sorted(a)\n", ("sorted",), [2], "builtin-in-function"),
        case("import torch\nattn = torch.nn.MultiheadAttention\n", MHA, [2], "reference-without-call"),
        case("import torch\nopt = torch.optim.SGD(p)\n", ("torch.optim",), [2], "under-a-banned-path"),
        case("y = sorted(xs)\nsorted = my_sort\n", ("sorted",), [1], "module-read-before-binding"),
        case("sorted = sorted\nsorted(x)\n", ("sorted",), [1, 2], "alias-of-the-builtin"),
    ],
)
def test_existing_behaviour_is_kept(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case("def pick(xs, sorted=False):\n    return sorted\n", ("sorted",), [], "parameter"),
        case("def f(sorted):\n    return sorted(x)\n", ("sorted",), [], "parameter-called"),
        case("def f(xs):\n    sorted = my_sort\n    return sorted(xs)\n", ("sorted",), [], "local-assignment"),
        case("sorted = my_sort\nsorted(xs)\ndef f(xs):\n    return sorted(xs)\n", ("sorted",), [], "module-assignment"),
        case("def f(fs):\n    for sorted in fs:\n        sorted(1)\n", ("sorted",), [], "for-target"),
        case("ys = [sorted(1) for sorted in fs]\n", ("sorted",), [], "comprehension-variable"),
        case("def sorted(xs):\n    return xs\nsorted([3, 1])\n", ("sorted",), [], "user-def"),
        case("import mylib as sorted\nsorted.run(x)\n", ("sorted",), [], "import-as-the-name"),
        case("def f(xs):\n    sorted, n = my_sort, 1\n    return sorted(xs)\n", ("sorted",), [], "tuple-unpacking"),
        case("def f(p):\n    with open(p) as sorted:\n        return sorted(1)\n", ("sorted",), [], "with-as"),
        case("try:\n    pass\nexcept E as sorted:\n    sorted(1)\n", ("sorted",), [], "except-as"),
        case("match p:\n    case [sorted]:\n        sorted(1)\n", ("sorted",), [], "match-capture"),
        case(
            "def f(xs):\n    return sorted(xs)\ndef g(sorted):\n    return sorted\n",
            ("sorted",),
            [2],
            "only-the-unshadowed-function",
        ),
        case("def f(xs, sorted=sorted):\n    return sorted(xs)\n", ("sorted",), [1, 2], "default-is-the-builtin"),
    ],
)
def test_a_name_bound_in_its_scope_is_not_the_builtin(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case(
            "if opts.sort:\n    pass\nself.sort = True\nkey = opts.sort\n", (".sort",), [], "attribute-read-and-write"
        ),
        case("xs.sort()\ngetattr(xs, 'sort')()\n", (".sort",), [1, 2], "call-and-constant-getattr"),
        case(
            "import torch.nn.functional as F\nf = getattr(F, 'softmax')\nf(x)\n",
            ("torch.nn.functional.softmax",),
            [2, 3],
            "getattr-on-an-alias",
        ),
        case("getattr(xs, name)()\n", (".sort",), [], "computed-getattr-is-left-to-the-runtime"),
    ],
)
def test_method_rules_flag_calls_only(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case(
            "import torch.nn as nn\n"
            "if isinstance(m, nn.MultiheadAttention):\n"
            "    pass\n"
            "ok = issubclass(c, (nn.Linear, (nn.MultiheadAttention,)))\n",
            MHA,
            [],
            "class-argument",
        ),
        case(
            "from torch import nn\nattn = nn.MultiheadAttention\nlayer = attn(8, 2)\nwrap(nn.MultiheadAttention)\n",
            MHA,
            [2, 3, 4],
            "other-references",
        ),
        case(
            "from torch import nn\ndef isinstance(a, b):\n    return b(a)\nisinstance(x, nn.MultiheadAttention)\n",
            MHA,
            [4],
            "shadowed-isinstance",
        ),
        case("from torch import nn\nisinstance(nn.MultiheadAttention(8, 2), object)\n", MHA, [2], "instance-argument"),
    ],
)
def test_isinstance_class_argument_is_not_a_use(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case(
            "class Helper:\n"
            "    def softmax(self, x):\n"
            "        return x\n"
            "    def run(self, x):\n"
            "        return self.softmax(x)\n",
            (".softmax",),
            [],
            "self",
        ),
        case(
            "class Helper:\n"
            "    @staticmethod\n"
            "    def softmax(x):\n"
            "        return x\n"
            "    @classmethod\n"
            "    def run(cls, x):\n"
            "        return cls.softmax(x)\n",
            (".softmax",),
            [],
            "cls",
        ),
        case(
            "class Model:\n"
            "    def run(self, x):\n"
            "        return self.softmax(x)\n"
            "class Helper:\n"
            "    def softmax(self, x):\n"
            "        return x\n"
            "    def run(self, x):\n"
            "        return x.softmax(-1)\n",
            (".softmax",),
            [3, 8],
            "other-receivers",
        ),
    ],
)
def test_own_method_is_not_the_banned_one(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case(
            "import torch\n"
            "def f(x):\n"
            "    return x\n"
            'if __name__ == "__main__":\n'
            "    import heapq\n"
            "    print(torch.softmax(x, -1), sorted([2, 1]))\n",
            ("sorted", "import:heapq", *SOFTMAX),
            [],
            "body-ignored",
        ),
        case("if '__main__' == __name__:\n    pass\nelse:\n    y = sorted(x)\n", ("sorted",), [4], "else-scanned"),
        case(
            "__name__ = '__main__'\nif __name__ == '__main__':\n    y = sorted(x)\n",
            ("sorted",),
            [3],
            "name-rebound",
        ),
        case(
            "def trick():\n"
            "    global __name__\n"
            "    __name__ = '__main__'\n"
            "if __name__ == '__main__':\n"
            "    y = sorted(x)\n",
            ("sorted",),
            [5],
            "name-rebound-through-global",
        ),
        case(
            "def f():\n    if __name__ == '__main__':\n        return sorted(x)\n", ("sorted",), [3], "not-module-level"
        ),
    ],
)
def test_main_guard(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import torch.nn.functional as F\ndef f(F, x):\n    return F.softmax(x)\n", []),
        (
            "import torch.nn.functional as F\n"
            "def f(F, x):\n"
            "    return F.softmax(x)\n"
            "def g(x):\n"
            "    return F.softmax(x)\n"
            "y = F.softmax(x)\n",
            [5, 6],
        ),
    ],
    ids=["shadowed", "unshadowed-elsewhere"],
)
def test_parameter_shadows_the_module_alias(source: str, lines: list[int]) -> None:
    assert flagged(source, ("torch.nn.functional.softmax",)) == lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import torch\nG = torch.nn.functional\nG.scaled_dot_product_attention(q, k, v)\n", [3]),
        ("import torch.nn.functional\nG = torch.nn.functional\nH = G\nH.scaled_dot_product_attention(q, k, v)\n", [4]),
        ("import torch.nn.functional as F\nG: object = F\nG.scaled_dot_product_attention(q, k, v)\n", [3]),
        ("import torch\nG, n = torch.nn.functional, 1\nG.scaled_dot_product_attention(q, k, v)\n", [3]),
        ("import torch\nif (G := torch.nn.functional):\n    G.scaled_dot_product_attention(q, k, v)\n", [3]),
        ("import torch\nfor G in (torch, torch.nn.functional):\n    G.scaled_dot_product_attention(q, k, v)\n", [3]),
        (
            "import torch\n"
            "def f():\n"
            "    G = torch.nn.functional\n"
            "    return G.scaled_dot_product_attention(q, k, v)\n"
            "def g(G):\n"
            "    return G.scaled_dot_product_attention(q, k, v)\n",
            [4],
        ),
        ("import torch\ndef f(q, G=torch.nn.functional):\n    return G.scaled_dot_product_attention(q, q, q)\n", [3]),
    ],
    ids=["assignment", "chain", "annotated", "unpacking", "walrus", "for-over-literal", "per-scope", "default"],
)
def test_static_module_aliases_are_followed(source: str, lines: list[int]) -> None:
    assert flagged(source, SDPA) == lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("from builtins import sorted as srt\nsrt(x)\n", [2]),
        ("import builtins\nbuiltins.sorted(x)\n", [2]),
        ("import builtins as b\nkey = b.sorted\n", [2]),
        ("__builtins__.sorted(x)\n", [1]),
        ("__builtins__['sorted'](x)\n", [1]),
        ("import builtins\nbuiltins.len(x)\n__builtins__.print(x)\n", []),
    ],
    ids=["from-builtins-as", "builtins-attribute", "builtins-alias", "dunder-builtins", "dunder-subscript", "others"],
)
def test_builtins_module_reaches_the_builtin(source: str, lines: list[int]) -> None:
    assert flagged(source, ("sorted",)) == lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("from torch import nn\nnn.functional.softmax(x)\n", [2]),
        ("import torch.nn.functional\ntorch.nn.functional.softmax(x)\n", [2]),
        ("from torch.nn.functional import *\nrelu(x)\nsoftmax(x)\n", [3]),
        ("from torch.nn import *\nfunctional.softmax(x)\n", [2]),
        ("from torch.nn.functional import *\ndef f(softmax, x):\n    return softmax(x)\n", []),
    ],
    ids=["submodule-import", "full-path", "star-import", "star-import-of-parent", "star-name-shadowed"],
)
def test_module_paths_and_star_imports(source: str, lines: list[int]) -> None:
    assert flagged(source, ("torch.nn.functional.softmax",)) == lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("h = __import__('heapq')\n", [1]),
        ("import importlib\nh = importlib.import_module('heapq')\n", [2]),
        ("from importlib import import_module as load\nh = load('_heapq')\n", [2]),
        ("from heapq import heappush\n", [1]),
        ("import _heapq\n", [1]),
        ("import heapq.x as h\nfrom _heapq import *\n", [1, 2]),
        ("import heapqx\nimport my_heapq\nb = __import__('bisect')\nh = __import__(name)\n", []),
    ],
    ids=["dunder-import", "import-module", "import-module-alias", "from-import", "accelerator", "submodule", "others"],
)
def test_import_rules(source: str, lines: list[int]) -> None:
    assert flagged(source, ("import:heapq",)) == lines


def test_import_rule_for_a_submodule() -> None:
    source = "import torch\nfrom torch import ao\nimport torch.ao.quantization as q\nfrom torch.ao import nn\n"
    assert flagged(source, ("import:torch.ao",)) == [2, 3, 4]


@pytest.mark.parametrize(
    ("source", "rules", "lines"),
    [
        case(
            "def outer(xs):\n    sorted = my_sort\n    def inner():\n        return sorted(xs)\n    return inner\n",
            ("sorted",),
            [],
            "closure-reads-enclosing-binding",
        ),
        case(
            "class A:\n    sorted = staticmethod(my_sort)\n    def f(self, xs):\n        return sorted(xs)\n",
            ("sorted",),
            [4],
            "class-body-does-not-enclose-methods",
        ),
        case("class A:\n    sorted = my_sort\n    order = sorted(xs)\n", ("sorted",), [], "class-body-binding"),
        case(
            "class A:\n    sorted = my_sort\n    ys = [sorted(x) for x in xs]\n",
            ("sorted",),
            [3],
            "comprehension-in-class-body",
        ),
        case("key = lambda sorted: sorted(1)\n", ("sorted",), [], "lambda-parameter"),
        case("key = lambda xs: sorted(xs)\n", ("sorted",), [1], "lambda-body"),
        case("ys = [sorted for sorted in xs]\nsorted(ys)\n", ("sorted",), [2], "comprehension-does-not-leak"),
        case(
            "import torch\n"
            "def setup():\n"
            "    global G\n"
            "    G = torch.nn.functional\n"
            "def f(q):\n"
            "    return G.scaled_dot_product_attention(q, q, q)\n",
            SDPA,
            [6],
            "global-binding",
        ),
        case(
            "import torch.nn.functional as F\ndef f(x):\n    global F\n    return F.softmax(x)\n",
            ("torch.nn.functional.softmax",),
            [4],
            "global-read",
        ),
        case(
            "def outer(xs):\n"
            "    sorted = my_sort\n"
            "    def inner():\n"
            "        nonlocal sorted\n"
            "        sorted = other\n"
            "        return sorted(xs)\n"
            "    return inner\n",
            ("sorted",),
            [],
            "nonlocal-rebinding",
        ),
        case(
            "import torch\n"
            "def outer(q):\n"
            "    G = None\n"
            "    def setup():\n"
            "        nonlocal G\n"
            "        G = torch.nn.functional\n"
            "    setup()\n"
            "    return G.scaled_dot_product_attention(q, q, q)\n",
            SDPA,
            [8],
            "nonlocal-alias",
        ),
        case(
            "import torch\n"
            "def f(xs):\n"
            "    ys = [G := torch.nn.functional for _ in xs]\n"
            "    return G.scaled_dot_product_attention(q, q, q)\n",
            SDPA,
            [4],
            "walrus-in-comprehension-binds-outside",
        ),
    ],
)
def test_python_scoping_rules(source: str, rules: tuple[str, ...], lines: list[int]) -> None:
    assert flagged(source, rules) == lines


def test_findings_are_collapsed_and_sorted_by_line() -> None:
    source = "ys = xs.sort()\nsorted(sorted(x))\nimport torch\ntorch.softmax(torch.softmax(x))\n"
    problems = banned.scan(source, ("sorted", ".sort", "torch.softmax"))
    assert [p["message"].split(":")[0] for p in problems] == ["line 1", "line 2", "line 4"]


def test_finding_and_syntax_error_formats() -> None:
    assert banned.scan("import torch.nn.functional as F\nF.softmax(x)\n", ("torch.nn.functional.softmax",)) == [
        {
            "name": "handwriting rules",
            "status": "banned",
            "message": "line 2: `F.softmax` is not allowed on this card: write it by hand",
            "hint": "",
        }
    ]
    assert banned.scan("def broken(:\n", ("sorted",)) == [
        {
            "name": "syntax",
            "status": "error",
            "message": "line 1: invalid syntax\n    def broken(:\n               ^",
            "hint": "",
        }
    ]


@pytest.mark.parametrize("card", catalogue.names())
def test_reference_solution_and_template_follow_their_card_rules(card: str) -> None:
    spec = cardspec.load(card)
    for path in (ROOT / "solutions" / f"{card}.py", spec.template_path):
        assert banned.scan(path.read_text(encoding="utf-8"), spec.banned) == [], path


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import torch\nG = torch\nG = G.nn\nG = G.functional\nG.softmax(x)\n", [5]),
        ("a = b\nb = a\na.softmax(x)\n", []),
        (
            "import torch\n"
            + "".join(f"G{i} = G{i + 1}\n" for i in range(200))
            + "G200 = torch.nn\nG0.functional.softmax(x)\n",
            [203],
        ),
    ],
    ids=["rebinding-to-itself", "cycle", "long-chain-written-backwards"],
)
def test_alias_chains_and_cycles_are_solved(source: str, lines: list[int]) -> None:
    assert flagged(source, ("torch.nn.functional.softmax",)) == lines


def test_deep_nesting_is_scanned_without_recursion_error() -> None:
    limit = sys.getrecursionlimit()
    source = "y = " + " + ".join(["sorted(x)"] * 2500) + "\nz = " + "lambda: " * 800 + "sorted\n"
    assert flagged(source, ("sorted",)) == [1, 2]
    assert sys.getrecursionlimit() == limit


def test_nesting_past_the_parser_limits_is_an_error() -> None:
    assert banned.scan("y = " + "+".join(["1"] * 5000) + "\n", ("sorted",)) == [
        {"name": "syntax", "status": "error", "message": "too deeply nested to check", "hint": ""}
    ]
