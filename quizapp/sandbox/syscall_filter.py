"""A seccomp filter for a run: system calls learner code never needs, refused.

Standalone (stdlib only): the runner imports it from its own directory in the jail. The
namespaces, uid and rlimits already contain a run; this narrows what of the kernel it can
reach, against kernel bugs (docs/sandbox.md, "What it does not protect against"):

- new user namespaces (``unshare``/``clone`` with CLONE_NEWUSER; ``clone3``, whose flags
  a filter cannot read, answers ENOSYS, and the C library falls back to ``clone``);
- the kernel keyring, ``ptrace``, ``perf_event_open``, ``bpf``, ``userfaultfd``,
  ``io_uring`` and the other calls below;
- the x32 system-call numbers.

Refused calls fail with EPERM (``PermissionError``), so the learner sees a clear error. On
a machine that is not x86-64 the filter is not installed (``install`` returns False).
"""

from __future__ import annotations

import ctypes
import errno
import os
import struct

AUDIT_ARCH_X86_64 = 0xC000003E
X32_BIT = 0x40000000
CLONE_NEWUSER = 0x10000000
CLONE, UNSHARE, CLONE3 = 56, 272, 435
REFUSED = {  # x86-64 numbers
    "ptrace": 101, "syslog": 103, "acct": 163, "swapon": 167, "swapoff": 168,
    "add_key": 248, "request_key": 249, "keyctl": 250, "kexec_load": 246,
    "perf_event_open": 298, "fanotify_init": 300, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "bpf": 321,
    "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    "fsconfig": 431, "fsmount": 432, "fspick": 433, "pidfd_getfd": 438,
    "mount_setattr": 442, "init_module": 175, "delete_module": 176, "mount": 165,
    "umount2": 166, "pivot_root": 155, "chroot": 161,
}

LD_ABS, JEQ, JSET, JGE, RET = 0x20, 0x15, 0x45, 0x35, 0x06
ALLOW = 0x7FFF0000
ERRNO = 0x00050000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
NR, ARCH, ARG0 = 0, 4, 16  # offsets in struct seccomp_data (argument 0's low half)


def program() -> list[tuple[int, int, int, int]]:
    """The filter as (code, jt, jf, k) instructions; jumps are relative, resolved here."""
    refused = sorted(REFUSED.values())
    # Labels at the end: [flags check: 3 instructions] [allow] [deny] [enosys]
    body: list[tuple[int, str | int, str | int, int]] = [
        (LD_ABS, 0, 0, ARCH),
        (JEQ, 0, "allow", AUDIT_ARCH_X86_64),
        (LD_ABS, 0, 0, NR),
        (JGE, "deny", 0, X32_BIT),
        (JEQ, "enosys", 0, CLONE3),
        (JEQ, "flags", 0, UNSHARE),
        (JEQ, "flags", 0, CLONE),
        *((JEQ, "deny", 0, number) for number in refused),
        (RET, 0, 0, ALLOW),
    ]
    labels = {"flags": len(body)}
    body += [(LD_ABS, 0, 0, ARG0), (JSET, "deny", 0, CLONE_NEWUSER)]
    labels["allow"] = len(body)
    body.append((RET, 0, 0, ALLOW))
    labels["deny"] = len(body)
    body.append((RET, 0, 0, ERRNO | errno.EPERM))
    labels["enosys"] = len(body)
    body.append((RET, 0, 0, ERRNO | errno.ENOSYS))
    resolved = []
    for index, (code, jt, jf, k) in enumerate(body):
        jumps = [labels[j] - index - 1 if isinstance(j, str) else j for j in (jt, jf)]
        resolved.append((code, jumps[0], jumps[1], k))
    return resolved


def install() -> bool:
    """Install the filter on this process (and what it starts); False where it does not
    apply (not x86-64). Raises OSError if the kernel refuses it."""
    if os.uname().machine != "x86_64":
        return False
    instructions = program()
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in instructions)
    buffer = ctypes.create_string_buffer(raw, len(raw))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Program(len(instructions), ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                 (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*(ctypes.c_ulong(a) for a in args)) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"seccomp: {os.strerror(code)}")
    return True
