/**
 * The ptrace layer of the confinement kernel: W^X, executable stacks, trusted path
 * execution, force (SHA-256 of what is executed), and the memory and task limits
 * of a policy ({@link io.jsyd.runtime.policy.TracePolicy}), as Syd enforces them
 * (its seeds 001, 003 and 004).
 *
 * <h2>Handshake</h2>
 * The init stops at a SYNC (sync point {@code TRACE}) right before it loads the
 * tracer's filter; the host starts a {@link io.jsyd.runtime.trace.PtraceSupervisor},
 * whose thread PTRACE_SEIZEs the init with TRACEFORK, TRACEVFORK, TRACECLONE,
 * TRACEEXEC, TRACEEXIT, TRACESECCOMP, TRACESYSGOOD and EXITKILL, and then acks. The
 * init loads a filter that returns SECCOMP_RET_TRACE for the syscalls the policy's
 * checks need ({@link io.jsyd.runtime.trace.TraceSyscalls}: execve and execveat
 * for tpe/force/stack; mmap, mprotect and pkey_mprotect with PROT_EXEC for W^X;
 * every mmap, brk and mremap for mem; fork, vfork, clone, clone3 for pid). No
 * other syscall stops. A SYNC instead of Syd's raise(SIGSTOP) keeps the stub as it
 * is and makes a failed seize an ordinary launch failure.
 *
 * <h2>Loop</h2>
 * One platform thread owns the tracees (ptrace ties them to the thread that
 * seized them, and forks are attached to it) and runs the loop of seed 003:
 * waitpid over all its tracees; seccomp stops are checked
 * ({@link io.jsyd.runtime.trace.TraceChecks}, pure) and refused by skipping the
 * syscall with the errno as its return value; fork, clone and exit events keep
 * the task count; group stops are left in place with PTRACE_LISTEN; signals are
 * delivered. A file mapped executable (a library) gets the exec checks through
 * its fd, and W^X refuses one mapped through an fd open for writing (a memfd
 * written and then mapped). At the exec event the new image is checked again unless the entry
 * stop allowed that very file (dev, inode), and its stack mapping is checked:
 * a refusal there kills the process (the exec has happened).
 *
 * <h2>Known limits</h2>
 * x86_64 only (where a skipped syscall's return value goes). When the notify
 * supervisor also confines exec, its SECCOMP_RET_USER_NOTIF outranks
 * SECCOMP_RET_TRACE: the entry stop does not happen and the exec-event check is
 * the one that decides (by killing). Syd re-checks a mapping at the mmap's exit
 * against /proc/PID/maps; here the fd is checked at entry only. mem/max is per
 * process (PSS), as in Syd; cgroup memory limits stay the container-wide bound.
 */
package io.jsyd.runtime.trace;
