package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/** Sealed in-memory files: content that no process can change once written. */
public final class Memfd {
    private Memfd() {
    }

    /** An empty close-on-exec memfd a child can write to (a hook's captured output). */
    public static Fd create(String name) {
        return Fd.adopt(Sys.check(Sys.C.memfd_create(name, (int) LinuxConstants.MFD_CLOEXEC), "memfd_create", name));
    }

    /** A close-on-exec memfd holding {@code content}, sealed against any change. */
    public static Fd sealed(String name, byte[] content) {
        Fd fd = Fd.adopt(Sys.check(Sys.C.memfd_create(name,
                (int) (LinuxConstants.MFD_CLOEXEC | LinuxConstants.MFD_ALLOW_SEALING)), "memfd_create", name));
        try {
            try (Memory buf = new Memory(Math.max(1, content.length))) {
                buf.write(0, content, 0, content.length);
                long off = 0;
                while (off < content.length) {
                    long n = Sys.C.write(fd.get(), buf.share(off), new NativeLong(content.length - off)).longValue();
                    if (n == -1 && Native.getLastError() == Errno.EINTR.number()) {
                        continue;
                    }
                    off += Sys.check(n, "write", name);
                }
            }
            Sys.check(Sys.C.fcntl(fd.get(), (int) LinuxConstants.F_ADD_SEALS,
                    LinuxConstants.F_SEAL_SEAL | LinuxConstants.F_SEAL_SHRINK
                            | LinuxConstants.F_SEAL_GROW | LinuxConstants.F_SEAL_WRITE), "fcntl(F_ADD_SEALS)", name);
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }
}
