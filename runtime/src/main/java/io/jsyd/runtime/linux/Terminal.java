package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import io.jsyd.runtime.SyscallException;

/** Terminals: the caller's (raw mode, size) and a container's pty master (copying, resizing). */
public final class Terminal {
    /** struct termios is opaque here: libc reads and writes it; this is more than any layout needs. */
    private static final int TERMIOS_BYTES = 256;

    private Terminal() {
    }

    /** struct winsize: rows and columns (the pixel fields stay 0). */
    public record Size(int rows, int cols) {
    }

    public static boolean isTerminal(int fd) {
        return Sys.C.isatty(fd) == 1;
    }

    public static Size size(int fd) {
        try (Memory ws = new Memory(8)) {
            ws.clear();
            Sys.check(Sys.C.ioctl(fd, new NativeLong(LinuxConstants.TIOCGWINSZ), ws), "ioctl(TIOCGWINSZ)", "fd " + fd);
            return new Size(ws.getShort(0) & 0xffff, ws.getShort(2) & 0xffff);
        }
    }

    public static void resize(Fd fd, Size size) {
        try (Memory ws = new Memory(8)) {
            ws.clear();
            ws.setShort(0, (short) size.rows());
            ws.setShort(2, (short) size.cols());
            Sys.check(Sys.C.ioctl(fd.get(), new NativeLong(LinuxConstants.TIOCSWINSZ), ws), "ioctl(TIOCSWINSZ)", fd.toString());
        }
    }

    /** Puts the terminal on {@code fd} in raw mode; closing the result restores it. */
    public static AutoCloseable raw(int fd) {
        Memory saved = new Memory(TERMIOS_BYTES);
        saved.clear();
        Sys.check(Sys.C.tcgetattr(fd, saved), "tcgetattr", "fd " + fd);
        try (Memory raw = new Memory(TERMIOS_BYTES)) {
            raw.write(0, saved.getByteArray(0, TERMIOS_BYTES), 0, TERMIOS_BYTES);
            Sys.C.cfmakeraw(raw);
            Sys.check(Sys.C.tcsetattr(fd, (int) LinuxConstants.TCSANOW, raw), "tcsetattr", "fd " + fd);
        }
        return () -> {
            try (saved) {
                Sys.C.tcsetattr(fd, (int) LinuxConstants.TCSANOW, saved);
            }
        };
    }

    /**
     * Reads what is there (blocking); -1 at the end: EOF, or EIO, which is how a pty
     * master says that every slave fd is closed.
     */
    public static int read(Fd fd, byte[] buf) {
        try (Memory m = new Memory(buf.length)) {
            while (true) {
                long n = Sys.C.read(fd.get(), m, new NativeLong(buf.length)).longValue();
                if (n > 0) {
                    m.read(0, buf, 0, (int) n);
                    return (int) n;
                }
                if (n == 0) {
                    return -1;
                }
                int errno = Native.getLastError();
                if (errno == Errno.EINTR.number()) {
                    continue;
                }
                if (errno == Errno.EIO.number()) {
                    return -1;
                }
                throw new SyscallException("read", errno, fd.toString());
            }
        }
    }

    public static void writeAll(Fd fd, byte[] buf, int len) {
        try (Memory m = new Memory(Math.max(1, len))) {
            m.write(0, buf, 0, len);
            long off = 0;
            while (off < len) {
                long n = Sys.C.write(fd.get(), m.share(off), new NativeLong(len - off)).longValue();
                if (n == -1 && Native.getLastError() == Errno.EINTR.number()) {
                    continue;
                }
                off += Sys.check(n, "write", fd.toString());
            }
        }
    }
}
