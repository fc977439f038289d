package io.jsyd.runtime.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The raw C library calls. Package-private: everything outside goes through the
 * checked wrappers of this package, which turn errno into a SyscallException.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load(CLibrary.SONAME, LibC.class);

    int open(String path, int flags, int mode);

    int close(int fd);

    int flock(int fd, int operation);

    int fcntl(int fd, int cmd, long arg);

    NativeLong write(int fd, Pointer buf, NativeLong count);

    NativeLong read(int fd, Pointer buf, NativeLong count);

    int ioctl(int fd, NativeLong request, Pointer arg);

    int isatty(int fd);

    int tcgetattr(int fd, Pointer termios);

    int tcsetattr(int fd, int when, Pointer termios);

    void cfmakeraw(Pointer termios);

    int memfd_create(String name, int flags);

    int socketpair(int domain, int type, int protocol, int[] sv);

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int len);

    int listen(int fd, int backlog);

    int accept4(int fd, Pointer addr, Pointer len, int flags);

    int getsockopt(int fd, int level, int name, Pointer value, IntByReference len);

    int connect(int fd, Pointer addr, int len);

    NativeLong sendmsg(int fd, Pointer msghdr, int flags);

    NativeLong recvmsg(int fd, Pointer msghdr, int flags);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_destroy(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int from);

    int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setpgroup(Pointer attr, int pgroup);

    int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attr, String[] argv, String[] envp);

    int waitpid(int pid, int[] status, int options);

    int kill(int pid, int sig);

    int getpid();

    int gettid();

    int tgkill(int tgid, int tid, int sig);

    int geteuid();

    int unshare(int flags);

    int umask(int mask);

    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    int mkdir(String path, int mode);

    int rmdir(String path);

    int umount2(String target, int flags);

    /** For calls libc does not wrap (bpf): the number comes from the generated constants. */
    NativeLong syscall(NativeLong number, Object... args);

    int eventfd(int initval, int flags);

    int inotify_init1(int flags);

    int inotify_add_watch(int fd, String path, int mask);

    int poll(Pointer fds, NativeLong nfds, int timeout);
}
