package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jsyd.runtime.SyscallException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A listening AF_UNIX SOCK_SEQPACKET socket at a path: every accepted connection
 * keeps message boundaries, so a request is one message and an fd rides on it.
 * Paths are bound and connected through {@code /proc/self/fd/DIR/NAME}, so a
 * deep --root never runs into sockaddr_un's 108 bytes.
 */
public final class UnixServer implements AutoCloseable {
    private final Fd fd;
    private final Path path;

    private UnixServer(Fd fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    /** Binds a fresh socket at {@code path} (which must not exist) and listens. */
    public static UnixServer listen(Path path, int backlog) {
        Fd sock = socket();
        try {
            withAddress(path, (addr, len) -> Sys.check(Sys.C.bind(sock.get(), addr, len), "bind", path.toString()));
            Sys.check(Sys.C.listen(sock.get(), backlog), "listen", path.toString());
            return new UnixServer(sock, path);
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
    }

    /** A connection to the server listening at {@code path}. */
    public static UnixSocket connect(Path path) {
        Fd sock = socket();
        try {
            withAddress(path, (addr, len) -> {
                while (Sys.C.connect(sock.get(), addr, len) != 0) {
                    int errno = Native.getLastError();
                    if (errno != Errno.EINTR.number()) {
                        throw new SyscallException("connect", errno, path.toString());
                    }
                }
                return 0;
            });
            return UnixSocket.adopt(sock);
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
    }

    /** Blocks for the next connection; EINTR is retried. */
    public UnixSocket accept() {
        while (true) {
            int rc = Sys.C.accept4(fd.get(), Pointer.NULL, Pointer.NULL, (int) LinuxConstants.SOCK_CLOEXEC);
            if (rc >= 0) {
                return UnixSocket.adopt(Fd.adopt(rc));
            }
            int errno = Native.getLastError();
            if (errno != Errno.EINTR.number() && errno != Errno.ECONNABORTED.number()) {
                throw new SyscallException("accept4", errno, path.toString());
            }
        }
    }

    public Fd fd() {
        return fd;
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        fd.close();
    }

    private static Fd socket() {
        return Fd.adopt(Sys.check(Sys.C.socket((int) LinuxConstants.AF_UNIX,
                (int) (LinuxConstants.SOCK_SEQPACKET | LinuxConstants.SOCK_CLOEXEC), 0), "socket", "AF_UNIX"));
    }

    private interface AddressUser {
        int use(Pointer addr, int len);
    }

    private static void withAddress(Path path, AddressUser user) {
        Path dir = path.toAbsolutePath().getParent();
        int dirFd = Sys.check(Sys.C.open(dir.toString(),
                (int) (LinuxConstants.O_PATH | LinuxConstants.O_DIRECTORY | LinuxConstants.O_CLOEXEC), 0),
                "open", dir.toString());
        try (Fd d = Fd.adopt(dirFd); Memory addr = new Memory(LinuxConstants.SIZEOF_SOCKADDR_UN)) {
            byte[] name = ("/proc/self/fd/" + d.get() + "/" + path.getFileName())
                    .getBytes(StandardCharsets.UTF_8);
            int room = LinuxConstants.SIZEOF_SOCKADDR_UN - LinuxConstants.SOCKADDR_UN_PATH;
            if (name.length >= room) {
                throw new SyscallException("bind", Errno.ENAMETOOLONG.number(), path + " (socket name too long)");
            }
            addr.clear();
            addr.setShort(0, (short) LinuxConstants.AF_UNIX);
            addr.write(LinuxConstants.SOCKADDR_UN_PATH, name, 0, name.length);
            user.use(addr, LinuxConstants.SOCKADDR_UN_PATH + name.length + 1);
        }
    }
}
