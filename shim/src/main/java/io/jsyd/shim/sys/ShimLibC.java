package io.jsyd.shim.sys;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/** The C library calls the shim makes beyond the runtime's wrappers; only ShimSys calls them. */
interface ShimLibC extends Library {
    ShimLibC C = Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, ShimLibC.class);

    int open(String path, int flags, int mode);

    int pipe2(int[] fds, int flags);

    NativeLong read(int fd, byte[] buf, NativeLong count);

    NativeLong write(int fd, byte[] buf, NativeLong count);

    int waitpid(int pid, int[] status, int options);

    int waitid(int idtype, int id, Pointer siginfo, int options);

    int mount(String source, String target, String fstype, NativeLong flags, String data);

    int umount2(String target, int flags);

    int fcntl(int fd, int cmd, long arg);

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer addr, int len);

    int listen(int fd, int backlog);

    int accept4(int fd, Pointer addr, Pointer len, int flags);

    int shutdown(int fd, int how);
}
