"""How a worker is born: from a clean zygote, inside Linux namespaces and a seccomp filter, under rlimits.

Process tree of one grading (J: the judge, trusted; W: the worker, running the submission):

    J ── Z (zygote: a fresh interpreter that imports torch and nothing of the judge; one per judge process and
         │   device, reused by its later gradings)
         └── C (relay, one per worker start): unshares user, mount, network, IPC and PID namespaces, pivots
             │   into a read-only root of only the system, the import path and llmprep's package (the card
             │   checks, reference solutions and data dir hidden within it), then reports W to J (a pidfd) and,
             │   once W is gone, W's wait status
             └── W (PID 1 of its own PID namespace): every process it starts dies with it; capabilities
                 dropped, seccomp filter loaded, rlimits set; then it serves the judge's requests.

When the kernel refuses namespaces (macOS has none; some distributions forbid unprivileged user namespaces)
the worker still runs, with the rlimits, the seccomp filter where libseccomp is present and the worker's audit
hook, and the level is reported as "basic" — never silently.

This module imports nothing of the judge; the judge drives it through `Zygote` and `WorkerHandle`.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import errno
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any, NoReturn

NAMESPACES = "namespaces"
BASIC = "basic"

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWCGROUP = 0x02000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (added after the syscall tables were unified)
AT_FDCWD, AT_RECURSIVE, MOUNT_ATTR_RDONLY = -100, 0x8000, 0x1
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 1, 24, 47, 4
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(os.uname().machine)
STATUS = struct.Struct("!i")


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker is started with: nothing secret, only where it may write and what it may not see."""

    device: str
    memory_bytes: int
    output_bytes: int
    processes: int
    scratch_bytes: int
    scratch: str  # the worker's cwd and only writable place: a small tmpfs of its own inside the namespaces
    # (a fresh dir of the judge's, not /tmp: a tmpfs there would also hide code installed under /tmp)
    hidden: tuple[str, ...] = field(default=())
    namespaces: bool = True  # False: the basic level on purpose (LLMPREP_SANDBOX=basic), to test or to debug


# -- syscalls Python 3.11 does not wrap


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encode = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(encode(source), encode(target), encode(fstype), flags, encode(data)), f"mount {target}")


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _read_only_everywhere() -> None:
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    result = _libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr))
    _check(result, "mount_setattr / read-only")


def _prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


def _drop_capabilities() -> None:
    """Whatever a user namespace granted is given up before the submission runs: no remounting the hidden
    paths away, and no regaining capabilities by exec (the bounding set is emptied too)."""
    last = int(open("/proc/sys/kernel/cap_last_cap").read())  # noqa: SIM115 - read once, tiny
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    with contextlib.suppress(OSError):
        _check(_libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient capabilities")
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable: all zero
    if SYS_CAPSET is not None:
        _check(_libc.syscall(SYS_CAPSET, header, data), "capset")


# -- the relay C: namespaces and the filesystem view


# What a worker sees of the machine: the system's programs and libraries, the interpreter's import path
# (stdlib, site-packages) and llmprep's own package; nothing else — no home, no /tmp, no other checkout of
# llmprep, no terminal. An allow-list: a deny-list misses what it did not think of (a second clone of this
# repository elsewhere on the disk held every reference solution).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("null", "zero", "full", "random", "urandom")
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(os.uname().machine)
MNT_DETACH = 2


class ViewFailed(Exception):
    """Namespaces were granted but the worker's view could not be built: no worker starts."""


def _within(path: str, roots: list[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def visible_paths() -> tuple[list[str], list[str]]:
    """(directories and files bound into the worker's root, top-level symlinks recreated there)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # .../llmprep
    wanted: list[str] = []
    for entry in sys.path:
        if not entry or not os.path.isabs(entry) or not os.path.exists(entry):
            continue  # '' and relative entries are the judge's cwd: a checkout or the user's files
        is_site = os.path.basename(entry) in ("site-packages", "dist-packages")
        if os.path.dirname(package) in (entry, os.path.realpath(entry)) and not is_site:
            continue  # a source checkout on the path: only its package is needed, added below
        wanted.append(entry)
    wanted.append(package)
    symlinks = [d for d in SYSTEM_DIRS if os.path.islink(d)]
    binds = [d for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
    for path in sorted({p for w in wanted for p in (os.path.abspath(w), os.path.realpath(w))}, key=len):
        if not _within(path, binds + symlinks):
            binds.append(path)
    return binds, symlinks


def _bind(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()  # an empty file to bind over
    _mount(source, target, None, MS_BIND | MS_REC)


def _aliases(path: str, binds: list[str]) -> list[str]:
    """Every name `path` has in the new root: a bind of /a (a symlink to /b) shows /b/x as /a/x too."""
    names = []
    for bind in binds:
        real = os.path.realpath(bind)
        if _within(path, [real]):
            names.append(bind + path[len(real) :])
    return names


def _build_root(root: str, scratch: str, hidden: tuple[str, ...]) -> list[str]:
    """A tmpfs at `root` holding only the visible paths, each a bind mount of the real one; returns where in it
    the hidden paths appear."""
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    binds, symlinks = visible_paths()
    for path in binds:
        _bind(path, root + path)
    for link in symlinks:
        os.symlink(os.readlink(link), root + link)
    os.makedirs(root + "/dev")  # a few device nodes, not the host's /dev: no terminals, no disks
    _mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID, "size=64k,mode=755")
    wanted = list(DEVICES) + [n for n in os.listdir("/dev") if n.startswith("nvidia")]  # CUDA's device nodes
    for name in wanted:
        if os.path.exists(f"/dev/{name}"):
            _bind(f"/dev/{name}", f"{root}/dev/{name}")
    for name, target in (("fd", "fd"), ("stdin", "fd/0"), ("stdout", "fd/1"), ("stderr", "fd/2")):
        os.symlink(f"/proc/self/{target}", f"{root}/dev/{name}")
    os.makedirs(root + "/dev/shm")
    os.makedirs(root + "/proc")
    _mount("/proc", root + "/proc", None, MS_BIND | MS_REC)  # the worker mounts its own over it; the kernel
    # lets a namespace mount a new proc only where one is already fully visible
    os.makedirs(root + scratch, exist_ok=True)
    return sorted({name for path in hidden for name in _aliases(path, binds)})


def _enter_namespaces(spec: WorkerSpec) -> None:
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(NAMESPACE_FLAGS), "unshare")
    with open("/proc/self/setgroups", "w") as fh:
        fh.write("deny")
    with open("/proc/self/uid_map", "w") as fh:
        fh.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as fh:
        fh.write(f"{gid} {gid} 1")
    try:
        _build_view(spec)
    except OSError as exc:  # half a view is no sandbox: no worker, rather than a "basic" one in a broken root
        raise ViewFailed(f"the sandbox could not build the worker's filesystem view: {exc}") from exc


def _build_view(spec: WorkerSpec) -> None:
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing done here propagates back to the user's mounts
    root = spec.scratch  # an empty dir of the judge's: the new root's mount point
    hidden = _build_root(root, spec.scratch, spec.hidden)
    if SYS_PIVOT_ROOT is None:
        raise OSError(errno.ENOSYS, f"pivot_root: unknown on {os.uname().machine}")
    os.chdir(root)
    _check(_libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")  # the old root is stacked on the new one
    _check(_libc.umount2(b".", MNT_DETACH), "detach the old root")  # and gone
    os.chdir("/")
    for path in hidden:  # within the visible paths: the installed package's checks, a data dir on the path
        if os.path.isdir(path):  # an empty read-only directory in place of the real one
            _mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=555")
        elif os.path.exists(path):  # a file reads as empty
            _mount("/dev/null", path, None, MS_BIND)
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    _read_only_everywhere()
    scratch = f"size={spec.scratch_bytes},mode=1777"
    _mount("tmpfs", spec.scratch, "tmpfs", MS_NOSUID | MS_NODEV, scratch)
    _mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, scratch)


def _relay(spec: WorkerSpec, fds: list[int], zygote: int) -> NoReturn:
    """C: one worker's namespaces; reports W's pidfd, then W's wait status once W and its tree are gone."""
    code = 70
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != zygote:
            os._exit(code)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        request_fd, reply_fd, output_fd, report_fd = fds
        report = socket.socket(fileno=report_fd)
        level, note = NAMESPACES, ""
        try:
            if not spec.namespaces:
                raise OSError(errno.EPERM, "turned off by LLMPREP_SANDBOX=basic")
            _enter_namespaces(spec)
        except OSError as exc:
            level, note = BASIC, f"namespaces unavailable: {exc.strerror or exc}"
        except ViewFailed as exc:
            report.sendall(json.dumps({"error": str(exc)}).encode())
            raise
        worker = os.fork()
        if worker == 0:
            report.detach()
            _become_worker(spec, level, request_fd, reply_fd, output_fd)
        for fd in (request_fd, reply_fd, output_fd):
            os.close(fd)
        pidfd = os.pidfd_open(worker)
        started = json.dumps({"level": level, "note": note, "relay": os.getpid(), "worker": worker}).encode()
        socket.send_fds(report, [started], [pidfd])
        os.close(pidfd)
        _, status = os.waitpid(worker, 0)
        if level == BASIC:  # no PID namespace: its process group is what it started (setsid/setpgid are denied)
            with contextlib.suppress(OSError):
                os.killpg(worker, signal.SIGKILL)
        report.sendall(STATUS.pack(os.waitstatus_to_exitcode(status)))
        code = 0
    finally:
        os._exit(code)


# -- the worker W


def _close_other_fds(keep: set[int]) -> None:
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        fd = int(name)
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _virtual_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _set_limits(spec: WorkerSpec) -> None:
    if spec.device == "cpu":  # CUDA reserves huge virtual ranges; its memory is bounded by the device
        budget = spec.memory_bytes + _virtual_size()  # a fork keeps torch's mappings: the budget comes on top
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec.output_bytes, spec.output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (spec.processes, spec.processes))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the output limit a write fails with EFBIG instead


CLONE_THREAD = 0x00010000


def seccomp_filter(device: str) -> Any:
    """The second layer: syscalls a submission never needs and an escape would. None without libseccomp.

    No new processes (a memory limit per process would not bound four children; a child could linger), and on
    the CPU no new threads either: torch's mode stacks, on which the runtime bans live, are per thread, and the
    worker runs torch single-threaded. A CUDA worker keeps threads: the driver starts its own."""
    try:
        import pyseccomp as seccomp

        denied = seccomp.ERRNO(errno.EPERM)
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for name in (
            "ptrace",
            "process_vm_readv",
            "process_vm_writev",
            "pidfd_open",
            "pidfd_getfd",
            "pidfd_send_signal",
            "kill",
            "tkill",
            "rt_sigqueueinfo",
            "rt_tgsigqueueinfo",
            "setsid",
            "setpgid",
            "socket",
            "socketpair",
            "mount",
            "umount2",
            "pivot_root",
            "chroot",
            "unshare",
            "setns",
            "mount_setattr",
            "move_mount",
            "open_tree",
            "fsopen",
            "fsmount",
            "keyctl",
            "add_key",
            "request_key",
            "bpf",
            "perf_event_open",
            "userfaultfd",
            "io_uring_setup",
            "kexec_load",
            "init_module",
            "finit_module",
            "personality",
            "fork",
            "vfork",
        ):
            rules.add_rule(denied, name)
        if device == "cpu":
            rules.add_rule(denied, "clone")
        else:
            rules.add_rule(denied, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")  # its flags sit behind a pointer: glibc falls back
        for flag in (*(1 << i for i in range(32) if NAMESPACE_FLAGS & (1 << i)), CLONE_NEWCGROUP):
            if device != "cpu":
                rules.add_rule(denied, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
        rules.add_rule(denied, "tgkill", seccomp.Arg(0, seccomp.NE, os.getpid()))  # raise() in itself only
        return rules
    except (ImportError, OSError, RuntimeError, AttributeError):
        return None


def _become_worker(spec: WorkerSpec, level: str, request_fd: int, reply_fd: int, output_fd: int) -> NoReturn:
    code = 70
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the relay's death takes the worker (and its namespace) along
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the judge's to handle
        os.setsid()
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        _close_other_fds({0, 1, 2, request_fd, reply_fd})
        if level == NAMESPACES:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)  # only this namespace's processes
            _drop_capabilities()
        scratch = spec.scratch
        os.chdir(scratch)
        _set_limits(spec)
        rules = seccomp_filter(spec.device)
        if rules is not None:
            rules.load()
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - the worker's own stdout
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        from llmprep.grading import worker

        worker.serve(request_fd, reply_fd, spec.device, scratch)
        code = 0
    except BaseException as exc:  # a bug of llmprep's, or the submission breaking the worker's own loop
        with contextlib.suppress(BaseException):
            os.write(2, f"\nthe worker stopped: {exc!r}\n".encode())
    finally:
        os._exit(code)


# -- the zygote Z


def zygote_main(control: socket.socket) -> NoReturn:
    """Z: forks one relay per request until the judge closes the control socket."""
    code = 0
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # relays are reaped by the kernel
        _close_other_fds({0, 1, 2, control.fileno()})
        sys.argv[:] = ["llmprep-zygote"]  # the command line it was forked from is the judge's business
        for name in [k for k in os.environ if k.startswith("LLMPREP_")]:
            del os.environ[name]
        me = os.getpid()
        while True:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 4)
            if not message:
                break
            spec = WorkerSpec(**{**json.loads(message), "hidden": tuple(json.loads(message)["hidden"])})
            if os.fork() == 0:
                control.detach()
                _relay(spec, fds, me)
            for fd in fds:
                os.close(fd)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


spawned: list[tuple[int, str]] = []  # (pid, PID namespace) of every worker this process started: for audits


class WorkerHandle:
    """The judge's view of one worker: its pipes, a pidfd to kill it, and the relay's report of its end."""

    def __init__(self, request_fd: int, reply_fd: int, report: socket.socket, deadline: float) -> None:
        self.request_fd, self.reply_fd, self.report = request_fd, reply_fd, report
        self.exit_status: int | None = None
        report.settimeout(max(deadline - time.monotonic(), 0.1))
        message, fds, _, _ = socket.recv_fds(report, 4096, 1)
        started = json.loads(message) if message else {}
        if "error" in started:
            raise OSError(started["error"])
        if len(fds) != 1:
            raise OSError("the sandbox did not start a worker")
        self.pidfd = fds[0]
        self.level: str = started["level"]
        self.note: str = started["note"]
        self.pid: int = started["worker"]
        self.relay_fd = -1  # readable once the relay has exited: its EOF alone comes a moment before that
        with contextlib.suppress(OSError, KeyError):
            self.relay_fd = os.pidfd_open(started["relay"])
        with contextlib.suppress(OSError):  # which PID namespace and session its processes live in: W's own
            spawned.append((self.pid, os.readlink(f"/proc/{self.pid}/ns/pid")))

    def kill(self) -> None:
        """SIGKILL, then wait for the relay's word that the worker and everything it started are gone."""
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        self.wait(10.0)
        self.close()

    def wait(self, timeout: float) -> int | None:
        """The worker's exit code (negative: the signal) once it and its process tree are gone, else None."""
        if self.exit_status is None and self.report.fileno() >= 0:
            self.report.settimeout(timeout)
            with contextlib.suppress(OSError):
                data = self.report.recv(STATUS.size, socket.MSG_WAITALL)
                if len(data) == STATUS.size:
                    (self.exit_status,) = STATUS.unpack(data)
                    self.report.recv(1)  # end of file: the relay is exiting
                    if self.relay_fd >= 0:
                        select.select([self.relay_fd], [], [], timeout)  # and now it is gone
        return self.exit_status

    def close(self) -> None:
        for fd in (self.request_fd, self.reply_fd, self.pidfd, self.relay_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.request_fd = self.reply_fd = self.pidfd = self.relay_fd = -1
        self.report.close()


class Zygote:
    """One per device and judge process, started before anything secret exists; `spawn` makes each worker."""

    def __init__(self, device: str) -> None:
        """A fresh interpreter, never a fork of the judge: a fork would carry whatever the judge's process had
        read before (a reference solution's text lingers in freed heap blocks, found by scanning memory)."""
        import subprocess

        self.control, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc: Any = subprocess.Popen(
            [sys.executable, "-m", "llmprep.grading.sandbox", str(child.fileno())],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if not k.startswith("LLMPREP_")},
        )
        self.pid = self.proc.pid
        child.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def spawn(self, spec: WorkerSpec, output_fd: int, deadline: float) -> WorkerHandle:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        report, relay_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        fds = [request_read, reply_write, output_fd, relay_end.fileno()]
        try:
            socket.send_fds(self.control, [json.dumps(asdict(spec)).encode()], fds)
        finally:
            for fd in (request_read, reply_write):
                os.close(fd)
            relay_end.close()
        try:
            return WorkerHandle(request_write, reply_read, report, deadline)
        except (OSError, ValueError, KeyError) as exc:
            for fd in (request_write, reply_read):
                os.close(fd)
            report.close()
            raise OSError(f"the sandbox could not start a worker: {exc}") from None

    def close(self) -> None:
        self.control.close()  # the zygote sees end-of-file and exits
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except Exception:
                self.proc.kill()
                self.proc.wait()
        self.pid, self.proc = 0, None


_zygotes: dict[str, Zygote] = {}


def zygote_for(device: str) -> Zygote:
    """This process's zygote for `device`, started at its first grading and reused by the next ones (the
    editor loop grades several times): it is forked before any check or seed exists in this process."""
    zygote = _zygotes.get(device)
    if zygote is None or not zygote.alive():
        if not _zygotes:
            atexit.register(close_zygotes)
        zygote = _zygotes[device] = Zygote(device)
    return zygote


def zygote_pids() -> set[int]:
    return {z.pid for z in _zygotes.values()}


def close_zygotes() -> None:
    for zygote in _zygotes.values():
        zygote.close()
    _zygotes.clear()


def main() -> None:
    """The zygote as a fresh interpreter: torch first (shared by every worker forked from it), then serve."""
    import torch  # noqa: F401 - imported once here, shared by every worker forked from this zygote

    # run as the module itself, not as __main__ (one copy of its state); the worker's modules load once, here
    from llmprep.grading import protocol, sandbox, tripwires, worker  # noqa: F401

    sandbox.zygote_main(socket.socket(fileno=int(sys.argv[1])))


if __name__ == "__main__":
    main()
