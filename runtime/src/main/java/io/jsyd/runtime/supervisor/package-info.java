/**
 * The seccomp user-notification supervisor: the second filter that sends a
 * policy's path and network syscalls to the runtime ({@link SupervisedSyscalls}),
 * the pool of threads that answers them ({@link NotifySupervisor}), the JSON
 * decision log ({@link DecisionLog}) and the wall-clock timeout ({@link Deadline}).
 *
 * <p>Decisions are made on the container's view of a path: a relative path is
 * joined to the caller's cwd or dirfd (read through /proc/PID/cwd and
 * /proc/PID/fd/N), the container's root (/proc/PID/root) is cut off the front,
 * and {@code .} and {@code ..} are resolved lexically, never above the root.
 * Symbolic links are not followed: a rule is about the name the caller used.
 */
package io.jsyd.runtime.supervisor;
