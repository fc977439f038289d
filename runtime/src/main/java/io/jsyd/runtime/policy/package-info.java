/**
 * The sandbox policy: a Syd-like line language, its immutable records, and the
 * precompiled matcher the supervisor asks.
 *
 * <h2>Text</h2>
 * One command a line, the same in profile files and in annotation values. Blank
 * lines and lines starting with {@code #} are ignored; blanks around a line are
 * trimmed. Lines act in order on the policy built so far.
 * <ul>
 *   <li>{@code sandbox/CATS:on} / {@code :off} confines a category or stops
 *       confining it. Every category starts off (Syd starts them on; a container
 *       without a policy must behave as under runc).
 *   <li>{@code default/CATS:ACTION} what happens when no rule matches; Syd's
 *       spelling, Syd's default ({@code deny}).
 *   <li>{@code ACTION/CATS+PATTERN} appends a rule to each category;
 *       {@code ACTION/CATS-PATTERN} removes the most recent equal rule (same
 *       action, category and pattern); {@code ACTION/CATS^PATTERN} removes all
 *       of them. Removing what is not there changes nothing.
 *   <li>{@code timeout:DURATION} ({@code 30s}, {@code 1h30m}, {@code 500ms}, a bare
 *       number of seconds; {@code none} clears it).
 *   <li>{@code mem/max:SIZE}, {@code mem/vm_max:SIZE}, {@code pid/max:N}
 *       ({@code 512M} = 512 MiB, {@code 1GB} = 10^9 bytes; 0 = no limit).
 *   <li>{@code include FILE}: another file, relative to the including one; a cycle
 *       is an error that shows the chain. Text from a container's annotations may
 *       only include files under the profile directory ({@link IncludeScope}).
 *   <li>{@code lock:on}: every later line, in this text or any text added after
 *       it, is an error naming where the lock was set.
 * </ul>
 * CATS is a comma-separated list of {@code read, write, exec, stat, create,
 * net/bind, net/connect, net/sendfd}; in {@code sandbox/} and {@code default/}
 * lines {@code net} stands for the three network categories. ACTION is one of
 * {@link Action}: allow, warn, filter, deny, stop, kill, exit.
 *
 * <h2>The ptrace layer's checks</h2>
 * Read by {@link TraceCommands} into {@link TracePolicy}; enforced by
 * {@code io.jsyd.runtime.trace}. Syd's spelling; like the other categories, each
 * starts off.
 * <ul>
 *   <li>{@code trace/allow_unsafe_memory:0}: W^X. mmap with PROT_WRITE|PROT_EXEC,
 *       and PROT_EXEC on anonymous or shared memory, fail with EACCES; so does an
 *       mprotect that adds PROT_EXEC to memory that is writable or anonymous, and
 *       an executable mapping of a file through an fd open for writing
 *       ({@code :1}, the default here, leaves it off; Syd defaults to 0).
 *   <li>{@code trace/allow_unsafe_stack:0}: exec of an ELF whose PT_GNU_STACK asks
 *       for an executable stack fails with EACCES; an executable [stack] after an
 *       exec kills the process.
 *   <li>{@code sandbox/tpe:on}: trusted path execution. exec (and executable
 *       file mappings: libraries) only from a directory
 *       owned by root (uid 0, or the host uid that owns the container's root) that
 *       neither group nor others may write; {@code tpe/user_owned:1} also trusts
 *       directories of the executing user.
 *   <li>{@code sandbox/force:on} with {@code force+PATH:SHA256HEX[:ACTION]}: exec
 *       only of listed binaries (the canonical container path) whose contents hash
 *       to the listed SHA-256; a mismatch takes the rule's action (or
 *       {@code default/force}), an unlisted binary {@code default/force}.
 *       {@code force-PATH} removes a rule, {@code force^} clears the list.
 *   <li>{@code sandbox/mem:on} with {@code mem/max} (proportional set size, from
 *       smaps_rollup) and {@code mem/vm_max} (virtual size): an mmap, brk or mremap
 *       that would reach the limit fails with ENOMEM (per process, as Syd).
 *   <li>{@code sandbox/pid:on} with {@code pid/max}: a fork, vfork, clone or clone3
 *       when the container already has that many tasks (threads count) fails
 *       with EAGAIN.
 *   <li>{@code default/tpe|force|mem|pid:ACTION}: Syd's defaults are deny, deny,
 *       deny and kill. The memory protections always deny.
 * </ul>
 * A non-zero {@code mem/max}, {@code mem/vm_max} or {@code pid/max} turns its
 * category on by itself (a limit written down is enforced); a later
 * {@code sandbox/mem:off} or {@code sandbox/pid:off} turns it off again. A
 * {@code sandbox/} or {@code default/} line names either notify categories or
 * ptrace checks, not both.
 *
 * <h2>Patterns</h2>
 * Path categories take globs ({@link PathGlob}): {@code *} within a component,
 * {@code **} across components, {@code /**}{@code /} also matching zero
 * directories (as in git), {@code /***} as the last component for "this directory
 * and everything below", {@code ?}, {@code [a-z]}, {@code [!.]}, {@code \} to
 * escape. Globs that could only match unresolved paths ({@code ..}, {@code .},
 * {@code //}, a trailing {@code /}) are refused.
 * {@code net/bind} and {@code net/connect} take {@code ADDRESS[/LENGTH]!PORTS}
 * ({@link NetAddress}: IPv4 or IPv6, a port, a range {@code 8000-8080}, or a list
 * {@code 80,443}; aliases {@code any}, {@code any4}, {@code any6},
 * {@code loopback}, {@code loopback4}, {@code loopback6}) or a UNIX socket glob;
 * {@code net/sendfd} takes UNIX socket globs only. A socket glob is a path, or
 * {@code @name} for the abstract namespace. A socket without a name (a
 * socketpair's) matches no rule: its category's default decides (logged as
 * {@code !unnamed}).
 *
 * <h2>Landlock</h2>
 * {@code sandbox/lock:on} turns Landlock on: every access right the kernel's ABI
 * can restrict is refused except what {@code allow/lock/RIGHTS+TARGET} lines grant
 * ({@link LockRulesParser}, {@link LockPolicy}). RIGHTS are Syd's names
 * ({@link LockRight}: read, readdir, write, exec, ioctl, create, delete, rename,
 * symlink, truncate, mkdir, rmdir, mkbdev, mkcdev, mkfifo, bind, connect, and
 * {@code all}); a TARGET is an absolute path without globs (Landlock grants the
 * whole tree beneath it) or, for bind and connect, TCP ports ({@code 80},
 * {@code 8000-8080}, {@code 80,443}). Only {@code allow} exists: Landlock cannot
 * deny inside what it grants. {@code lock/scope:signal,abstract} (the default;
 * {@code none} for nothing) keeps signals and abstract UNIX sockets inside the
 * container. {@code default/lock:kill} (strict, the default, Syd's "hard
 * requirement") refuses to start when the kernel cannot apply all of it;
 * {@code default/lock:warn} (best effort) applies what it can and logs the rest.
 * {@code -} and {@code ^} remove grants as for other rules.
 *
 * <h2>Deciding</h2>
 * In a category that is on, the last rule whose pattern matches decides (Syd's
 * rule: order, not specificity); without one, the category's default. The globs
 * of a category are compiled into one DFA (one table step per path byte), the
 * networks into arrays searched from the end; see {@link PolicyMatcher}.
 */
package io.jsyd.runtime.policy;
