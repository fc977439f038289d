package io.jsyd.runtime.linux;

import com.sun.jna.Native;
import io.jsyd.runtime.SyscallException;
import java.nio.file.Path;

/**
 * An exclusive flock(2) on a file, held until closed. flock, not fcntl: the lock
 * belongs to the open file, so two threads of one process exclude each other too,
 * and closing another fd of the same file does not drop it.
 */
public final class FileLock implements AutoCloseable {
    private final Fd fd;

    private FileLock(Fd fd) {
        this.fd = fd;
    }

    /** Opens (creating) {@code file} and blocks until this process holds its lock. */
    public static FileLock exclusive(Path file) {
        int raw = Sys.check(Sys.C.open(file.toString(),
                (int) (LinuxConstants.O_RDWR | LinuxConstants.O_CREAT | LinuxConstants.O_CLOEXEC), 0600),
                "open", file.toString());
        Fd fd = Fd.adopt(raw);
        while (Sys.C.flock(raw, (int) LinuxConstants.LOCK_EX) != 0) {
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                fd.close();
                throw new SyscallException("flock", errno, file.toString());
            }
        }
        return new FileLock(fd);
    }

    /** As {@link #exclusive}, but null at once when another holds the lock. */
    public static FileLock tryExclusive(Path file) {
        int raw = Sys.check(Sys.C.open(file.toString(),
                (int) (LinuxConstants.O_RDWR | LinuxConstants.O_CREAT | LinuxConstants.O_CLOEXEC), 0600),
                "open", file.toString());
        Fd fd = Fd.adopt(raw);
        while (Sys.C.flock(raw, (int) (LinuxConstants.LOCK_EX | LinuxConstants.LOCK_NB)) != 0) {
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number()) {
                fd.close();
                if (errno == Errno.EAGAIN.number()) {
                    return null;
                }
                throw new SyscallException("flock", errno, file.toString());
            }
        }
        return new FileLock(fd);
    }

    @Override
    public void close() {
        fd.close();
    }
}
