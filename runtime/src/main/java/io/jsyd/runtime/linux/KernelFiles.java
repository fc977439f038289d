package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;

/**
 * Writes to kernel interface files (/proc, /sys) where the kernel wants the whole
 * value in one write(2) and its errno is the only explanation of a refusal.
 */
public final class KernelFiles {
    private KernelFiles() {
    }

    /** One open + one write; the errno of either is reported with the path and {@code what}. */
    public static void writeOnce(String path, String value, String what) {
        byte[] data = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String subject = what.isEmpty() ? path : path + " (" + what + ")";
        int fd = Sys.check(Sys.C.open(path, (int) (LinuxConstants.O_WRONLY | LinuxConstants.O_CLOEXEC), 0), "open", subject);
        try (Fd owned = Fd.adopt(fd); Memory buf = new Memory(Math.max(1, data.length))) {
            buf.write(0, data, 0, data.length);
            long n = Sys.check(Sys.C.write(owned.get(), buf, new NativeLong(data.length)).longValue(), "write", subject);
            if (n != data.length) {
                throw new SyscallException("write", Errno.EIO.number(), subject + ": wrote " + n + " of " + data.length + " bytes");
            }
        }
    }
}
