"""Handwriting rules: find forbidden APIs in a submission's AST before it runs.

This is the fast, static first pass; a runtime layer in the worker catches the dynamic routes (getattr with
computed strings, `vars(F)[...]`, exec, `torch.ops.aten.*`). Rules are written as
- a dotted path, `torch.nn.functional.softmax`: any reference to it or to something under it, also without a call
  (`attn = nn.MultiheadAttention`), after resolving what each name is bound to;
- `.name`: a method call `x.name(...)`, or `getattr(x, "name")` with a constant string (tensor methods such as
  `.softmax`, list `.sort`); a plain attribute read or write (`if opts.sort:`, `self.sort = True`) is not a use;
- a bare name, `sorted`: the builtin, i.e. the path `builtins.sorted` (`builtins.sorted`, `__builtins__.sorted`,
  `from builtins import sorted as srt` reach it too);
- `import:mod`: importing `mod`, a submodule of it, or its C accelerator `_mod` at all: `import`, `from mod import
  ...`, `from pkg import mod`, and `__import__` / `importlib.import_module` with a constant string.

Names are resolved with Python's scoping rules, in two passes. The first walk collects every scope (module,
class, function, lambda, comprehension) with the bindings of each name (parameters, assignment targets including
unpacking and `:=`, `for`, `with ... as`, `except ... as`, `match` captures, imports, `def`, `class`, `del`) and the
`global` / `nonlocal` declarations, and remembers each reference. The second solves every binding to the dotted
paths it may hold (to a fixed point, so chains and cycles of aliases are fine) and checks each reference.
A name bound anywhere in a function is local to it (a parameter `sorted`, or `F` shadowing
`import torch.nn.functional as F`, is neither the builtin nor the module); a closure reads the enclosing function's
binding; class bodies enclose neither their methods nor their comprehensions; a name bound in no enclosing scope is
the module's, else the builtin (or, as a path, itself: an unimported `torch.softmax` is still flagged).
Aliases are followed through `G = torch.nn.functional`, `H = G`, imports, `getattr(F, "softmax")`,
`__builtins__["sorted"]`, `importlib.import_module("m")` / `__import__("m")`, unpacking of literal tuples,
`for f in (a, b)`, and parameter defaults. The analysis is flow-insensitive (a name may be any of its bindings in
its scope), except that a read run in a module or class body with no binding of that name textually before it also
sees the outer name (so `y = sorted(x)` before `sorted = my_sort` is flagged). A reference is reported once, by the
shortest part of it that is banned (`torch.optim` in `torch.optim.SGD`); a method call that is a banned path is
reported as the path.

Exemptions, which are not uses:
- the class argument of `isinstance` / `issubclass` (also inside a tuple there);
- `self.name(...)` / `cls.name(...)` (the method's first parameter) inside a class that itself defines `name`;
- the body of a module-level `if __name__ == "__main__":` (it never runs when graded; its `else` is scanned);
- `from m import *` binds, of the names it may bring, only those that lead to a banned path under `m`.

A submission nested too deeply to walk (thousands of levels) is reported as an error rather than crashing the scan.
"""

from __future__ import annotations

import ast
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_Pos = tuple[int, int]
_NEVER: _Pos = (1 << 30, 0)  # a binding that never counts as textually earlier (made from inside a function)
_CLASS_TESTS = frozenset({"builtins.isinstance", "builtins.issubclass"})
_GETATTR = "builtins.getattr"
_IMPORT_FUNCS = frozenset({"builtins.__import__", "importlib.__import__", "importlib.import_module"})
_WATCHED = frozenset({*_CLASS_TESTS, _GETATTR, *_IMPORT_FUNCS, "builtins.__dict__"})
_RECURSION_LIMIT = 20_000  # the deepest expressions ast.parse accepts are about 3,000 levels deep
_TOO_DEEP = {"name": "syntax", "status": "error", "message": "too deeply nested to check", "hint": ""}


@dataclass(eq=False)
class _Binding:
    """One binding of a name: it holds `paths` and whatever `expr`, evaluated in `scope`, holds."""

    pos: _Pos
    paths: frozenset[str] = frozenset()
    expr: ast.expr | None = None
    scope: _Scope | None = None
    each: bool = False  # `expr` is a literal tuple/list/set and the name takes each of its elements


@dataclass(eq=False)
class _Scope:
    kind: str  # "module", "class" or "function" (lambdas and comprehensions included)
    parent: _Scope | None
    comprehension: bool = False
    self_name: str | None = None  # a method's first parameter
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Rules:
    paths: frozenset[str]  # dotted paths, bare names as `builtins.name`
    methods: frozenset[str]
    modules: frozenset[str]
    known: frozenset[str]  # every prefix of a banned path or of a path the scan looks for (getattr, isinstance...)

    @classmethod
    def parse(cls, rules: Iterable[str]) -> _Rules:
        paths, methods, modules = set(), set(), set()
        for rule in rules:
            if rule.startswith("import:"):
                modules.add(rule.removeprefix("import:"))
            elif rule.startswith("."):
                methods.add(rule[1:])
            elif "." in rule:
                paths.add(rule)
            else:
                paths.add(f"builtins.{rule}")
        known = {path[:i] for path in paths | _WATCHED for i, c in enumerate(f"{path}.") if c == "."}
        return cls(frozenset(paths), frozenset(methods), frozenset(modules), frozenset(known))

    def banned_root(self, path: str) -> str | None:
        """The banned path that `path` is, or lies under."""
        end = path.find(".")
        while end != -1:
            if path[:end] in self.paths:
                return path[:end]
            end = path.find(".", end + 1)
        return path if path in self.paths else None

    def banned_path(self, path: str) -> bool:
        return self.banned_root(path) is not None

    def keep(self, paths: Iterable[str]) -> frozenset[str]:
        """The paths that matter: a banned one (cut to the banned path) or one that may lead to what the scan looks
        for. This keeps every set of paths small, whatever the submission does."""
        kept = set()
        for path in paths:
            root = self.banned_root(path)
            if root is not None:
                kept.add(root)
            elif path in self.known:
                kept.add(path)
        return frozenset(kept)

    def banned_module(self, module: str) -> bool:
        return any(
            module == name or module.startswith(f"{name}.") for rule in self.modules for name in (rule, f"_{rule}")
        )


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _chain(node: ast.expr) -> list[ast.expr] | None:
    """`a.b.c` as [a, a.b, a.b.c]; None when it is not rooted at a name."""
    nodes: list[ast.expr] = []
    while isinstance(node, ast.Attribute):
        nodes.append(node)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    nodes.append(node)
    return nodes[::-1]


def _start(node: ast.AST) -> _Pos:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


def _end(node: ast.AST) -> _Pos:
    return (node.end_lineno or node.lineno, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _const_str(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and "__main__" in map(_const_str, sides)


def _params(args: ast.arguments) -> Iterator[tuple[ast.arg, ast.expr | None]]:
    """Each parameter with its default value, if any."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    yield from zip(positional, defaults, strict=True)
    if args.vararg:
        yield args.vararg, None
    yield from zip(args.kwonlyargs, args.kw_defaults, strict=True)
    if args.kwarg:
        yield args.kwarg, None


class _Collector(ast.NodeVisitor):
    """First pass: scopes, bindings, and the references to check, each with the scope it is evaluated in."""

    def __init__(self, rules: _Rules) -> None:
        self.rules = rules
        self.module = _Scope("module", None)
        self.scope = self.module
        self.scopes: list[_Scope] = [self.module]
        self.chains: list[tuple[ast.expr, _Scope]] = []  # names and dotted chains, read
        self.calls: list[tuple[ast.Call, _Scope]] = []
        self.subscripts: list[tuple[ast.Subscript, _Scope]] = []
        self.class_args: dict[int, tuple[ast.expr, _Scope]] = {}  # id(reference) -> the isinstance-like callee
        self.found: list[tuple[int, str]] = []  # import statements, reported as they are met
        self.main_guarded: list[list[ast.stmt]] = []  # bodies of `if __name__ == "__main__":`, not walked

    # scopes and bindings

    def _enter(self, kind: str, *, comprehension: bool = False, self_name: str | None = None) -> _Scope:
        scope = _Scope(kind, self.scope, comprehension=comprehension, self_name=self_name)
        self.scopes.append(scope)
        self.scope = scope
        return scope

    def _bind(self, name: str, binding: _Binding, scope: _Scope | None = None) -> None:
        (scope or self.scope).bindings.setdefault(name, []).append(binding)

    def _bind_target(self, target: ast.expr, value: ast.expr | None, pos: _Pos, *, each: bool = False) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, _Binding(pos, expr=value, scope=self.scope, each=each))
        elif isinstance(target, ast.Tuple | ast.List):
            pairs = (
                not each
                and isinstance(value, ast.Tuple | ast.List)
                and len(value.elts) == len(target.elts)
                and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts))
            )
            for i, element in enumerate(target.elts):
                self._bind_target(element, value.elts[i] if pairs else None, pos)  # type: ignore[union-attr]
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, None, pos)

    def _visit_signature(self, args: ast.arguments) -> None:
        """Defaults and annotations are evaluated in the scope around the function."""
        for arg, default in _params(args):
            if default is not None:
                self.visit(default)
            if arg.annotation is not None:
                self.visit(arg.annotation)

    def _bind_params(self, args: ast.arguments, outer: _Scope) -> None:
        for arg, default in _params(args):
            self._bind(arg.arg, _Binding((0, 0), expr=default, scope=outer))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_signature(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        outer = self.scope
        self._bind(node.name, _Binding(_end(node)))
        positional = [*node.args.posonlyargs, *node.args.args]
        is_static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
        method_self = positional[0].arg if outer.kind == "class" and positional and not is_static else None
        self._enter("function", self_name=method_self)
        self._bind_params(node.args, outer)
        for statement in node.body:
            self.visit(statement)
        self.scope = outer

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_signature(node.args)
        outer = self.scope
        self._enter("function")
        self._bind_params(node.args, outer)
        self.visit(node.body)
        self.scope = outer

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(child)
        outer = self.scope
        self._bind(node.name, _Binding(_end(node)))
        self._enter("class")
        for statement in node.body:
            self.visit(statement)
        self.scope = outer

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        self.visit(node.generators[0].iter)  # the first iterable is evaluated outside
        outer = self.scope
        self._enter("function", comprehension=True)
        for i, generator in enumerate(node.generators):
            if i:
                self.visit(generator.iter)
            self._bind_target(generator.target, generator.iter, _end(generator.iter), each=True)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for part in (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,):
            self.visit(part)
        self.scope = outer

    visit_ListComp = _comprehension
    visit_SetComp = _comprehension
    visit_GeneratorExp = _comprehension
    visit_DictComp = _comprehension

    def visit_Global(self, node: ast.Global) -> None:
        self.scope.globals.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._bind_target(target, node.value, _end(node))
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.annotation)
        if node.value is not None:
            self.visit(node.value)
        # `x: int` without a value binds nothing at module or class level, but makes `x` local to a function
        if node.value is not None or self.scope.kind == "function":
            self._bind_target(node.target, node.value, _end(node))
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self._bind_target(node.target, None, _end(node))
        self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.comprehension and scope.parent is not None:  # `:=` in a comprehension binds outside it
            scope = scope.parent
        self._bind(node.target.id, _Binding(_end(node), expr=node.value, scope=self.scope), scope)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._bind_target(node.target, node.iter, _end(node.iter), each=True)
        for child in (node.target, *node.body, *node.orelse):
            self.visit(child)

    visit_For = _for
    visit_AsyncFor = _for

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, None, _end(item.context_expr))
                self.visit(item.optional_vars)
        for statement in node.body:
            self.visit(statement)

    visit_With = _with
    visit_AsyncWith = _with

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self._bind(node.name, _Binding(_end(node.type) if node.type else _start(node)))
        for statement in node.body:
            self.visit(statement)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._bind(target.id, _Binding(_NEVER))  # makes the name local; gives it no value
            else:
                self.visit(target)

    def _capture(self, node: ast.MatchAs | ast.MatchStar | ast.MatchMapping) -> None:
        name = node.rest if isinstance(node, ast.MatchMapping) else node.name
        if name:
            self._bind(name, _Binding(_end(node)))
        self.generic_visit(node)

    visit_MatchAs = _capture
    visit_MatchStar = _capture
    visit_MatchMapping = _capture

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, _Binding(_end(node), paths=frozenset({alias.name})))
            else:
                top = alias.name.split(".")[0]
                self._bind(top, _Binding(_end(node), paths=frozenset({top})))
            if self.rules.banned_module(alias.name):
                self.found.append((node.lineno, f"import {alias.name}"))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = "." * node.level + (node.module or "")
        if node.level == 0 and self.rules.banned_module(module):
            self.found.append((node.lineno, f"from {module} import ..."))
        for alias in node.names:
            if alias.name == "*":
                self._bind_star(module, _end(node))
                continue
            full = f"{module}.{alias.name}" if node.module else f"{module}{alias.name}"
            self._bind(alias.asname or alias.name, _Binding(_end(node), paths=frozenset({full})))
            if node.level == 0 and not self.rules.banned_module(module) and self.rules.banned_module(full):
                self.found.append((node.lineno, f"from {module} import {alias.name}"))

    def _bind_star(self, module: str, pos: _Pos) -> None:
        """`from m import *` brings the names that lead to a banned path under `m`; the others do not matter."""
        for path in self.rules.paths:
            if path.startswith(f"{module}."):
                name = path[len(module) + 1 :].split(".")[0]
                self._bind(name, _Binding(pos, paths=frozenset({f"{module}.{name}"})))

    def visit_If(self, node: ast.If) -> None:
        if self.scope is self.module and _is_main_guard(node.test):
            self.main_guarded.append(node.body)  # never runs when graded, unless the submission rebinds __name__
            for statement in (node.test, *node.orelse):
                self.visit(statement)
        else:
            self.generic_visit(node)

    def rebinds_name(self) -> bool:
        """The submission assigns `__name__` at module level (or as a `global` in a function)."""
        return any("__name__" in s.bindings and (s is self.module or "__name__" in s.globals) for s in self.scopes)

    # references

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.chains.append((node, self.scope))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.ctx, ast.Load) and _chain(node) is not None:
            self.chains.append((node, self.scope))  # the whole chain; its prefixes are checked with it
        else:
            self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        self.calls.append((node, self.scope))
        if len(node.args) >= 2:
            pending = [node.args[1]]
            while pending:
                arg = pending.pop()
                if isinstance(arg, ast.Tuple):
                    pending.extend(arg.elts)
                elif isinstance(arg, ast.Name | ast.Attribute):
                    self.class_args[id(arg)] = (node.func, self.scope)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if _const_str(node.slice) is not None:
            self.subscripts.append((node, self.scope))
        self.generic_visit(node)

    def finish(self) -> None:
        """Move the bindings of `global` / `nonlocal` names to the scope that owns them."""
        for scope in self.scopes[1:]:  # outer scopes come first; `global` at module level changes nothing
            for name in (scope.globals | scope.nonlocals) & scope.bindings.keys():
                owner = self.module if name in scope.globals else self._nonlocal_owner(name, scope)
                moved = [_Binding(_NEVER, b.paths, b.expr, b.scope, b.each) for b in scope.bindings.pop(name)]
                owner.bindings.setdefault(name, []).extend(moved)

    def _nonlocal_owner(self, name: str, scope: _Scope) -> _Scope:
        outer = scope.parent
        while outer is not None and outer.kind != "module":
            if outer.kind == "function" and name in outer.globals:
                return self.module
            if outer.kind == "function" and name not in outer.nonlocals and name in outer.bindings:
                return outer
            outer = outer.parent
        return self.module


class _Resolver:
    """Second pass: the dotted paths each expression may denote, with the bindings solved to a fixed point."""

    def __init__(self, collector: _Collector) -> None:
        self.module = collector.module
        self.rules = collector.rules
        self._values: dict[int, frozenset[str]] = {}  # id(binding) -> its paths
        self._solving: _Binding | None = None
        self._readers: dict[tuple[int, str], set[_Binding]] = {}  # (id(scope), name) -> bindings that read it
        self._solve(collector.scopes)

    def _solve(self, scopes: list[_Scope]) -> None:
        """Evaluate each alias binding until nothing changes; a binding is evaluated again when a name it reads
        gains a path. Path sets only grow and are bounded (`_Rules.keep`), so this ends, cycles included."""
        where: dict[int, tuple[int, str]] = {}
        pending: deque[_Binding] = deque()
        for scope in scopes:
            for name, bindings in scope.bindings.items():
                for binding in bindings:
                    self._values[id(binding)] = self.rules.keep(binding.paths)
                    if binding.expr is not None and binding.scope is not None:
                        where[id(binding)] = (id(scope), name)
                        pending.append(binding)
        queued = set(where)
        while pending:
            binding = pending.popleft()
            queued.discard(id(binding))
            self._solving = binding
            found = self._evaluate(binding)
            self._solving = None
            if not found <= self._values[id(binding)]:
                self._values[id(binding)] |= found
                for reader in self._readers.get(where[id(binding)], ()):
                    if id(reader) not in queued:
                        queued.add(id(reader))
                        pending.append(reader)

    def _evaluate(self, binding: _Binding) -> frozenset[str]:
        expr, scope = binding.expr, binding.scope
        assert expr is not None and scope is not None
        if not binding.each:
            return self.paths(expr, scope)
        if isinstance(expr, ast.Tuple | ast.List | ast.Set):
            return frozenset().union(*(self.paths(e, scope) for e in expr.elts))
        return frozenset()

    def owner(self, name: str, scope: _Scope) -> _Scope | None:
        """The scope whose binding of `name` a read in `scope` sees; None for the builtin. (`global` and
        `nonlocal` bindings were moved to their owner, so a declared name has no binding where it is declared.)"""
        current: _Scope | None = scope
        while current is not None:
            if current is scope or current.kind != "class":  # class bodies do not enclose
                if name in current.globals:
                    return self.module if name in self.module.bindings else None
                if name in current.bindings:
                    return current
            current = current.parent
        return None

    def lookup(self, name: str, scope: _Scope, pos: _Pos | None) -> frozenset[str]:
        """The paths a read of `name` at `pos` in `scope` may see (`pos` None: after the module has run)."""
        owner = self.owner(name, scope)
        if owner is None:
            return self._builtin(name)
        if self._solving is not None:
            self._readers.setdefault((id(owner), name), set()).add(self._solving)
        bindings = owner.bindings[name]
        paths = frozenset().union(*(self._values[id(b)] for b in bindings))
        if (
            owner.kind != "function"
            and pos is not None
            and self._runs_in(scope, owner)
            and min(b.pos for b in bindings) > pos
        ):
            # read while a module or class body runs, before any binding of the name there: the outer name
            paths |= self.lookup(name, self.module, None) if owner.kind == "class" else self._builtin(name)
        return paths

    def _builtin(self, name: str) -> frozenset[str]:
        """A name bound nowhere: the builtin, or a module put there behind the scan's back (`torch` unimported)."""
        if name == "__builtins__":
            return self.rules.keep(["builtins"])
        return self.rules.keep([f"builtins.{name}", name])

    @staticmethod
    def _runs_in(scope: _Scope, body: _Scope) -> bool:
        """Code in `scope` runs while `body` runs: it is `body` itself or a comprehension in it."""
        while scope is not body and scope.comprehension and scope.parent is not None:
            scope = scope.parent
        return scope is body

    def paths(self, node: ast.expr, scope: _Scope) -> frozenset[str]:
        """The dotted paths `node` may evaluate to; empty when it is nothing known."""
        return self.rules.keep(self._paths(node, scope))

    def _paths(self, node: ast.expr, scope: _Scope) -> Iterable[str]:
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, _start(node))
        if isinstance(node, ast.Attribute):
            return [f"{p}.{node.attr}" for p in self.paths(node.value, scope)]
        if isinstance(node, ast.Subscript):
            key = _const_str(node.slice)
            bases = self.paths(node.value, scope)
            return [f"builtins.{key}"] if key and bases & {"builtins", "builtins.__dict__"} else []
        if isinstance(node, ast.Call) and node.args and not isinstance(node.args[0], ast.Starred):
            callee = self.paths(node.func, scope)
            if _GETATTR in callee and len(node.args) >= 2 and (attr := _const_str(node.args[1])):
                found = [f"{p}.{attr}" for p in self.paths(node.args[0], scope)]
                return found + (list(self.paths(node.args[2], scope)) if len(node.args) > 2 else [])
            module = _const_str(node.args[0])
            if module and not module.startswith(".") and callee & _IMPORT_FUNCS:
                if "importlib.import_module" in callee or self._has_fromlist(node):
                    return [module]
                return [module.split(".")[0]]
        return []

    @staticmethod
    def _has_fromlist(call: ast.Call) -> bool:
        """`__import__("a.b", ..., fromlist)` returns `a.b` rather than `a` when the list is not empty."""
        if len(call.args) > 3:
            fromlist: ast.expr | None = call.args[3]
        else:
            fromlist = next((k.value for k in call.keywords if k.arg == "fromlist"), None)
        return fromlist is not None and not (isinstance(fromlist, ast.Constant) and not fromlist.value)

    def banned_prefix(self, node: ast.expr, scope: _Scope) -> ast.expr | None:
        """The shortest prefix of the chain `node` (a.b.c) that denotes a banned path, if any."""
        chain = _chain(node)
        if chain is None:
            return None
        paths: Iterable[str] = self.paths(chain[0], scope)
        for i, part in enumerate(chain):
            if i:
                paths = [f"{p}.{part.attr}" for p in paths]  # type: ignore[attr-defined]
            if any(self.rules.banned_path(p) for p in paths):
                return part
        return None

    def is_own_method(self, call: ast.Call, scope: _Scope) -> bool:
        """`self.name(...)` in a method of a class that defines `name` (to something not banned)."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return False
        owner = self.owner(func.value.id, scope)
        if owner is None or owner.self_name != func.value.id or owner.parent is None:
            return False
        bindings = owner.parent.bindings.get(func.attr, [])
        return bool(bindings) and not any(self.rules.banned_path(p) for b in bindings for p in self._values[id(b)])


def _findings(tree: ast.Module, rules: _Rules) -> list[tuple[int, str]]:
    collector = _Collector(rules)
    collector.visit(tree)
    if collector.rebinds_name():
        for statement in (s for body in collector.main_guarded for s in body):
            collector.visit(statement)
    collector.finish()
    resolver = _Resolver(collector)
    found = collector.found
    for node, scope in collector.chains:
        hit = resolver.banned_prefix(node, scope)
        if hit is None:
            continue
        test = collector.class_args.get(id(node))
        if test is not None and resolver.paths(*test) & _CLASS_TESTS:
            continue
        found.append((node.lineno, _dotted(hit) or ""))
    for call, scope in collector.calls:
        found.extend(_call_findings(call, scope, resolver, rules))
    for subscript, scope in collector.subscripts:
        if any(rules.banned_path(p) for p in resolver.paths(subscript, scope)):
            found.append((subscript.lineno, f"{_dotted(subscript.value) or '...'}[{_const_str(subscript.slice)!r}]"))
    return found


def _call_findings(call: ast.Call, scope: _Scope, resolver: _Resolver, rules: _Rules) -> Iterator[tuple[int, str]]:
    args = call.args
    callee = resolver.paths(call.func, scope) if args and not isinstance(args[0], ast.Starred) else frozenset()
    if _GETATTR in callee and len(args) >= 2 and (attr := _const_str(args[1])) is not None:
        target = f"getattr({_dotted(args[0]) or '...'}, {attr!r})"
        if any(rules.banned_path(f"{p}.{attr}") for p in resolver.paths(args[0], scope)):
            yield call.lineno, target
        elif attr in rules.methods:
            yield call.lineno, f".{attr}"
    if callee & _IMPORT_FUNCS and (module := _const_str(args[0])) and rules.banned_module(module):
        yield call.lineno, f"{_dotted(call.func) or '...'}({module!r})"
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in rules.methods
        and resolver.banned_prefix(func, scope) is None  # else reported as that path
        and not resolver.is_own_method(call, scope)
    ):
        yield func.lineno, f".{func.attr}"


def scan(source: str, rules: tuple[str, ...]) -> list[dict[str, str]]:
    """Problems as verdict checks (status `banned` or `error`); empty when the source follows the rules."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        message = f"{line}{exc.msg}"
        if exc.text and exc.text.strip():  # the offending line with a caret under the place
            text = exc.text.rstrip("\n")
            column = max((exc.offset or 1) - 1, 0)
            stripped = text.lstrip()
            message += f"\n    {stripped}\n    {' ' * max(column - (len(text) - len(stripped)), 0)}^"
        return [{"name": "syntax", "status": "error", "message": message, "hint": ""}]
    except (RecursionError, MemoryError):  # how the parser reports nesting past its limits
        return [dict(_TOO_DEEP)]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION_LIMIT))  # the walk recurses once or twice per level of nesting
    try:
        unique = sorted(set(_findings(tree, _Rules.parse(rules))))
    except RecursionError:
        return [dict(_TOO_DEEP)]
    finally:
        sys.setrecursionlimit(limit)
    return [
        {
            "name": "handwriting rules",
            "status": "banned",
            "message": f"line {line}: `{what}` is not allowed on this card: write it by hand",
            "hint": "",
        }
        for line, what in unique
    ]
