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
 *
 * <h2>What is emulated and what is continued</h2>
 *
 * Arguments are read once from the caller's memory (process_vm_readv), then the
 * notification is checked to be still valid (SECCOMP_IOCTL_NOTIF_ID_VALID), then
 * decided. What happens to an allowed call:
 * <ul>
 * <li><b>open, openat, openat2, creat: emulated</b> ({@link CallerOpen}). The
 * supervisor opens the file itself and installs it in the caller with
 * SECCOMP_IOCTL_NOTIF_ADDFD and SECCOMP_ADDFD_FLAG_SEND (O_CLOEXEC from the
 * caller's flags); the kernel never reads the caller's buffer again, so swapping
 * it after the check changes nothing (SupervisedContainerTest's race: 0 of 100,000;
 * with CONTINUE some thousands got through). An absolute name is opened with
 * openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS below /proc/TID/root; a relative
 * one below the caller's cwd or dirfd (opened through /proc/TID/cwd or
 * /proc/TID/fd/N, the same open file pidfd_getfd would give), with the worker
 * thread chrooted into the caller's root for the walk (its fs context is its
 * own: unshare CLONE_FS), so {@code ..} and absolute links stop at the container's
 * root as they would for the caller. The open runs with the caller's fsuid,
 * fsgid, groups and effective capabilities (none when the caller is in another
 * user namespace: its capabilities mean nothing to the host's inodes, so it may
 * be refused what its namespace's root could do to files its namespace owns) and
 * the caller's umask (the thread's own is 0), so a created file gets the owner,
 * group and mode the caller would have got. Everything is first resolved with
 * O_PATH and checked before the real open through /proc/self/fd: block devices
 * and character devices but null, zero, full, random, urandom, ptmx and the pty
 * slaves are refused with EPERM (the container's device cgroup does not apply to
 * the supervisor's own open), /dev/tty with ENXIO (the supervisor's controlling
 * terminal is not the caller's). O_CREAT creates only with O_EXCL (a new file
 * cannot be a device), retrying when a racing process makes the name appear;
 * through a dangling final symbolic link it therefore fails with EEXIST where the
 * kernel would create the link's target. /proc/self and /proc/thread-self are
 * rewritten to the caller's pid in its namespace; /proc/self/fd/N, /dev/fd/N and
 * /dev/std{in,out,err} reopen the caller's own fd N. The supervisor's own errors
 * are the caller's errno. A FIFO opened for a caller blocks a worker as it would
 * block the caller (the pool grows). The exec fifo of {@code create} is the one
 * open continued (once, before any of the container's code ran).
 * <li><b>Opens, the path calls and the stat family below with Landlock on:
 * continued.</b> The supervisor's call would be outside the container's Landlock
 * domain; continued, Landlock checks it in the caller. The notify decision is
 * then subject to the buffer-swap race, but only within what Landlock allows.
 * <li><b>mkdir(at), mknod(at), unlink(at), rmdir, truncate, chmod, fchmodat,
 * chown, lchown, fchownat, rename(at,at2), link(at), symlink(at): emulated</b>
 * ({@link CallerOpen#call}). A worker makes the same call with the names it
 * decided on (its own copies; symlink's target too, which is not checked),
 * the caller's dirfds replaced by O_PATH fds of the same files, chrooted into the
 * caller's root with the caller's cwd, credentials and umask; the return value is
 * the answer. Names go through the kernel's own walk there (a /proc/self inside
 * them names the worker, which the container's proc does not show).
 * <li><b>connect, bind, sendto with a destination, sendmsg, sendmmsg: emulated</b>
 * ({@link CallerSocket}). The worker takes the caller's socket with pidfd_getfd
 * (a PIDFD_THREAD pidfd of the notifying thread) and makes the call on that same
 * open file with its own copy of the address it decided on, whatever the family
 * (an address the policy has no rule for must not become a checked one after the
 * check either); the result is the answer (SupervisedContainerTest's connect race:
 * 0 of 20,000 reached the denied port; with CONTINUE about 1,100 did). It runs in
 * the caller's place as the path calls do: chrooted into its root, from its cwd,
 * with its credentials and umask, so a UNIX socket's name is resolved and bound
 * as the caller would; on a UNIX socket also with its real and effective uid and
 * gid (what SO_PEERCRED and SCM_CREDENTIALS give the peer; the pid given is the
 * supervisor's, 0 in the container). sendto's data is read from the caller
 * (a datagram whole, up to 4 MiB, a stream 64 KiB per call, a short send) and
 * sent with its flags plus MSG_NOSIGNAL; EPIPE raises SIGPIPE in the caller after
 * the answer. sendmsg and sendmmsg: each message's header, msg_name and control
 * data are read once, decided on and sent from those copies (the connect race on
 * msg_name: 0 of 20,000 datagrams reached the denied port; about 700 with
 * CONTINUE); the data is gathered from the caller's iovecs; SCM_RIGHTS fds are
 * the worker's copies of the caller's (pidfd_getfd); an SCM_CREDENTIALS is sent
 * only when it claims the caller's own pid and one of its own uids and gids, and
 * only from the supervisor's user namespace (else EPERM, even where the caller's
 * privilege would have let the kernel take it); sendmmsg writes each msg_len back
 * into the caller's vector (process_vm_writev) and ends at the first failure. A
 * call that blocks blocks a worker (the pool grows); the watcher
 * interrupts such a worker (SIGURG, EINTR) once its notification is no longer
 * valid, checking every 10 ms while a worker is blocked, so an interrupted or
 * dead caller leaves no connect or send behind for longer than that; an EINTR
 * while the caller still waits is retried (a blocking connect made again waits
 * for the same connection). The socket calls are continued with Landlock on, as
 * the opens are (its TCP rules then check them in the caller).
 * <li><b>stat, lstat, newfstatat, statx, access, faccessat, faccessat2,
 * readlink, readlinkat: emulated</b> ({@link CallerStat}). A worker makes the
 * call as {@link CallerOpen#call} does (the decided name, the caller's root, cwd
 * or dirfd, credentials) into a buffer of its own, and writes the struct stat,
 * struct statx or link text into the caller's memory with process_vm_writev
 * (after checking again that the notification waits: the tid is not pinned);
 * a fault there is the caller's EFAULT, as the kernel's copy would give.
 * AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW and statx's mask go to the call unchanged.
 * access and faccessat without AT_EACCESS check with the caller's real uid and
 * gid, and the capabilities the kernel gives those (its permitted set for a real
 * uid 0, none otherwise); the worker's call has AT_EACCESS under those ids.
 * /proc/self and /proc/thread-self are rewritten to the caller's pid and tid,
 * and the caller's own exe, cwd, root, fd/N and ns/X links are resolved with
 * the supervisor's credentials (the kernel lets a thread group read its own
 * despite the ptrace check the worker would fail), access still checking the
 * target with the caller's; /dev/fd/N and /dev/std{in,out,err} are those links
 * too. A name that fails with ENOENT is walked again as the caller, link by
 * link, with proc's self and thread-self (which name no one for the worker) read
 * as the caller's pid and tid: /proc/mounts, /proc/net, /etc/mtab work as they
 * do for the caller. Owners in the result are mapped into the caller's
 * user namespace (uid_map, gid_map; the overflow ids for the unmapped).
 * SupervisedContainerTest's race on stat: 0 of 30,000 (16 with CONTINUE).
 * <li><b>execve(at): continued, not safe from the race yet.</b> The kernel
 * reads the name again, so a thread that rewrites it between the check and the
 * CONTINUE gets the call through; execve cannot be emulated, and needs the
 * ptrace layer's check at the exec event.
 * </ul>
 *
 * <p>The ways around the supervisor are refused by the filter itself while a
 * category is on ({@link SupervisedSyscalls#refusals}): io_uring_setup,
 * io_uring_enter, io_uring_register (ENOSYS), open_by_handle_at,
 * name_to_handle_at, ptrace, process_vm_readv and process_vm_writev (EPERM).
 */
package io.jsyd.runtime.supervisor;
