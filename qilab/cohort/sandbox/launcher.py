"""Start one learner's kernel inside the grading sandbox (run as a script, standard library only).

The grader (:mod:`qilab.cohort.sandbox.host`) writes a plan (a JSON file only it can read) and
has jupyter_client run::

    python launcher.py PLAN.json -- -f CONNECTION_FILE [kernel arguments]

Modes (``plan["mode"]``):

``root``
    The grader is root. The launcher joins the submission's control groups (memory, process
    count), makes new PID, mount, network, IPC and UTS namespaces and forks the namespace's
    first process, which builds a fresh root file system on a size-limited ``tmpfs``: read-only
    binds of ``/usr``, the Python installation, the virtual environment and the ``qilab``
    package, a few files of ``/etc``, four harmless devices, a fresh ``/proc`` for the new PID
    namespace, the kernel's socket folder, and a working folder holding a copy of the one
    submission. It then ``pivot_root``\\s into it (the old root is unmounted, so nothing else
    of the machine is reachable), sets resource limits, drops to the submission's own numeric
    uid (no capabilities, ``no_new_privs``) and starts the kernel.
``userns``
    The grader is not root but the kernel allows unprivileged user namespaces: the same, in a
    new user namespace where the submission's uid maps to the grader's, with every capability
    dropped before the kernel starts (control groups are not used).
``none``
    The trainer opted out of sandboxing: resource limits only.

The namespace's first process waits for the kernel; when it ends, the kernel of the machine
kills everything else the submission started (no process outlives its PID namespace), and if
the launcher itself is killed the first process gets ``SIGKILL`` (parent-death signal).
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import runpy
import shutil
import signal
import stat
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 16384, 1 << 18, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "armv7l": 218, "ppc64le": 203, "s390x": 217}
#: the submission's uid inside a user namespace (unprivileged mode)
INNER_UID = 1000
DEVICES = ("null", "zero", "full", "random", "urandom")
ETC_FILES = ("ld.so.cache", "ld.so.conf", "nsswitch.conf", "host.conf", "localtime",
             "mime.types", "os-release")
ETC_DIRS = ("ld.so.conf.d", "ssl", "ca-certificates", "fonts", "alternatives")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _mount(src: str | None, dst: str, fstype: str | None, flags: int, data: str | None = None
           ) -> None:
    def enc(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    _check(_libc.mount(enc(src), enc(dst), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {src} on {dst}")


def _kept_flags(path: str) -> int:
    """Flags of the mount holding ``path`` that a user namespace may not clear on remount."""
    f = os.statvfs(path).f_flag
    out = 0
    for st_bit, ms_bit in ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV),
                           (os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                           (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME)):
        if f & st_bit:
            out |= ms_bit
    return out


def _bind(src: str, dst: str, *, writable: bool = False) -> None:
    """Bind ``src`` on ``dst`` (made if missing), read-only unless ``writable``."""
    if os.path.isdir(src):
        os.makedirs(dst, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if not os.path.exists(dst):
            open(dst, "a").close()
    _mount(src, dst, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | _kept_flags(src)
    _mount(None, dst, None, flags if writable else flags | MS_RDONLY)


def _limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def set_limits(limits: dict, *, nproc: bool) -> None:
    """Resource limits for the kernel and everything it starts (0 means no limit)."""
    mb = 1024 * 1024
    if limits.get("memory_mb"):
        _limit(resource.RLIMIT_AS, limits["memory_mb"] * mb)
    if limits.get("file_mb"):
        _limit(resource.RLIMIT_FSIZE, limits["file_mb"] * mb)
    if limits.get("cpu_seconds"):
        _limit(resource.RLIMIT_CPU, int(limits["cpu_seconds"]))
    if limits.get("nofile"):
        _limit(resource.RLIMIT_NOFILE, int(limits["nofile"]))
    if nproc and limits.get("processes"):
        _limit(resource.RLIMIT_NPROC, int(limits["processes"]))
    _limit(resource.RLIMIT_CORE, 0)


def _copy_submission(src: str, dst: str, uid: int, gid: int) -> None:
    """Copy the submission's files (not its notebooks, not hidden files, never a link)."""
    for top, dirs, files in os.walk(src, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not os.path.islink(os.path.join(top, d))]
        rel = os.path.relpath(top, src)
        here = os.path.normpath(os.path.join(dst, rel))
        os.makedirs(here, exist_ok=True)
        os.chown(here, uid, gid)
        for name in files:
            path = os.path.join(top, name)
            if name.startswith(".") or name.endswith(".ipynb"):
                continue
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                continue
            shutil.copyfile(path, os.path.join(here, name), follow_symlinks=False)
            os.chown(os.path.join(here, name), uid, gid)


def _build_root(plan: dict, conn: bytes, uid: int, gid: int) -> None:
    """Make the fresh root file system and ``pivot_root`` into it (runs as root in the new
    mount namespace)."""
    new = plan["root_dir"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(plan['disk_mb'])}m,mode=755")
    for name in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), os.path.join(new, name))
        elif os.path.isdir(host):
            _bind(host, new + host)
    _bind("/usr", new + "/usr")
    for src in plan["binds"]:
        _bind(src, new + src)
    etc = new + "/etc"
    os.makedirs(etc, exist_ok=True)
    for name in ETC_FILES:
        if os.path.isfile("/etc/" + name):
            shutil.copyfile("/etc/" + name, f"{etc}/{name}")
    for name in ETC_DIRS:
        if os.path.isdir("/etc/" + name):
            _bind("/etc/" + name, f"{etc}/{name}")
    with open(f"{etc}/passwd", "w") as fh:
        fh.write(f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
                 f"learner:x:{uid}:{gid}:learner:{plan['workdir']}:/usr/sbin/nologin\n")
    with open(f"{etc}/group", "w") as fh:
        fh.write(f"root:x:0:\nlearner:x:{gid}:\n")
    with open(f"{etc}/hosts", "w") as fh:
        fh.write("127.0.0.1 localhost\n::1 localhost\n")
    dev = new + "/dev"
    os.makedirs(dev)
    _mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=755")
    for name in DEVICES:
        _bind("/dev/" + name, f"{dev}/{name}", writable=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    for path in (new + "/tmp", dev + "/shm"):
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o1777)
    os.makedirs(new + "/proc")
    # a fresh /proc of the new PID namespace, mounted while the old one is still visible (a
    # user namespace may mount proc only then)
    _mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _bind(plan["ipc_dir"], new + plan["ipc_dir"], writable=True)
    work = new + plan["workdir"]
    os.makedirs(work)
    if plan.get("copy_from"):
        _copy_submission(plan["copy_from"], work, uid, gid)
    os.chown(work, uid, gid)
    os.makedirs(new + "/run/kernel")
    os.chown(new + "/run/kernel", uid, gid)
    fd = os.open(new + "/run/kernel/connection.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, conn)
    os.fchown(fd, uid, gid)
    os.close(fd)
    old = new + "/.old-root"
    os.makedirs(old)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise OSError("pivot_root: unknown machine")
    _check(_libc.syscall(ctypes.c_long(number), new.encode(), old.encode()), "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old-root", MNT_DETACH), "umount old root")
    os.rmdir("/.old-root")
    # the root itself becomes read-only; /tmp, /dev/shm and the working folder stay writable
    for path in ("/tmp", "/dev/shm", plan["workdir"], "/run/kernel"):
        _mount(path, path, None, MS_BIND | MS_REC)
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_privileges(mode: str, uid: int, gid: int) -> None:
    """Become the submission's uid with no capabilities and ``no_new_privs``."""
    for cap in range(64):  # the bounding set, so nothing executed can regain a capability
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 and ctypes.get_errno() == 22:
            break
    if mode == "root":
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    _check(_libc.capset(ctypes.byref(_CapHeader(0x20080522, 0)), (_CapData * 2)()), "capset")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")


def _namespace_init(plan: dict, conn: bytes, kernel_args: list[str]) -> int:
    """The PID namespace's first process: build the root, drop privileges, run the kernel,
    wait for it. Returns the kernel's exit status."""
    mode = plan["mode"]
    uid, gid = (plan["uid"], plan["gid"]) if mode == "root" else (INNER_UID, INNER_UID)
    for path in plan.get("cgroups", []):  # this process and all it starts; not the launcher
        with open(os.path.join(path, "cgroup.procs"), "w") as fh:
            fh.write(str(os.getpid()))
    _check(_libc.unshare(CLONE_NEWNS), "unshare mount namespace")
    _build_root(plan, conn, uid, gid)
    _check(_libc.sethostname(b"grading", 7), "sethostname")
    set_limits(plan["limits"], nproc=mode == "root")
    _drop_privileges(mode, uid, gid)
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    kernel = os.fork()
    if kernel == 0:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(plan["workdir"])
        argv = [plan["python"], "-I", plan["launcher"], "--kernel", ",".join(plan["preload"]),
                "--", "-f", "/run/kernel/connection.json", *kernel_args]
        os.execve(plan["python"], argv, plan["env"])
    while True:  # reap orphans; end when the kernel ends (which ends the namespace)
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == kernel:
            return os.waitstatus_to_exitcode(status) & 0xFF


def _split(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def _connection_file(kernel_args: list[str]) -> tuple[str, list[str]]:
    rest = list(kernel_args)
    for i, arg in enumerate(rest):
        if arg == "-f" and i + 1 < len(rest):
            path = rest[i + 1]
            del rest[i:i + 2]
            return path, rest
        if arg.startswith("--f="):
            del rest[i]
            return arg[4:], rest
    raise SystemExit("launcher: no connection file (-f) given")


def run_kernel(preload: str, kernel_args: list[str]) -> None:
    """Inside the sandbox: warm the module cache, then become the IPython kernel."""
    import importlib
    for name in filter(None, preload.split(",")):
        try:  # warm the module cache only: no name is bound in the learner's namespace
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the learner's own import will report it
            pass
    sys.argv = ["ipykernel_launcher", *kernel_args]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point (see the module docstring)."""
    own, kernel_args = _split(list(sys.argv[1:] if argv is None else argv))
    if own[:1] == ["--kernel"]:
        run_kernel(own[1] if len(own) > 1 else "", kernel_args)
        return 0
    with open(own[0], encoding="utf-8") as fh:
        plan = json.load(fh)
    if plan["mode"] == "none":
        set_limits(plan["limits"], nproc=False)
        os.chdir(plan["workdir"])
        argv2 = [plan["python"], "-I", plan["launcher"], "--kernel", ",".join(plan["preload"]),
                 "--", *kernel_args]
        os.execve(plan["python"], argv2, plan["env"])
    # if the grader dies, so does this launcher, and with it the whole sandbox
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
    conn_path, kernel_args = _connection_file(kernel_args)
    with open(conn_path, "rb") as fh:
        conn = fh.read()
    flags = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    outer_uid, outer_gid = os.getuid(), os.getgid()
    if plan["mode"] == "userns":
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare")
    if plan["mode"] == "userns":
        for name, text in (("setgroups", "deny"), ("uid_map", f"{INNER_UID} {outer_uid} 1"),
                           ("gid_map", f"{INNER_UID} {outer_gid} 1")):
            with open(f"/proc/self/{name}", "w") as fh:
                fh.write(text)
    child = 0

    def stop(signum: int, frame: object) -> None:
        if not child:
            os._exit(1)
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGINT, lambda s, f: None)  # interrupts are for the kernel
    signal.signal(signal.SIGTERM, stop)  # the grader's "end it": kill the namespace, reap it
    signal.signal(signal.SIGHUP, stop)
    child = os.fork()
    if child == 0:
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        # the namespace's first process ignores interrupts (they are meant for the kernel)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        code = 127
        try:
            code = _namespace_init(plan, conn, kernel_args)
        except BaseException as exc:  # noqa: BLE001 - report, then end the namespace
            print(f"qilab sandbox: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(code)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            return os.waitstatus_to_exitcode(status) & 0xFF
        except InterruptedError:
            continue
        except ChildProcessError:
            return 1


if __name__ == "__main__":
    sys.exit(main())
