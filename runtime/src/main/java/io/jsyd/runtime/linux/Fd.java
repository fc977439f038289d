package io.jsyd.runtime.linux;

import java.util.concurrent.atomic.AtomicBoolean;

/** An owned file descriptor, closed exactly once. */
public final class Fd implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Fd(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = fd;
    }

    /** Takes ownership of a descriptor the caller got from the kernel. */
    public static Fd adopt(int fd) {
        return new Fd(fd);
    }

    public int get() {
        if (closed.get()) {
            throw new IllegalStateException("fd " + fd + " is closed");
        }
        return fd;
    }

    /** A close-on-exec duplicate numbered at least {@code min}. */
    public Fd dupAtLeast(int min) {
        return new Fd(Sys.check(Sys.C.fcntl(get(), (int) LinuxConstants.F_DUPFD_CLOEXEC, min),
                "fcntl(F_DUPFD_CLOEXEC)", "fd " + fd));
    }

    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            // close(2) releases the number even on EINTR; retrying could close a reused fd
            Sys.C.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
