package io.jsyd.oci.lifecycle;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jsyd.runtime.linux.LinuxConstants;
import io.jsyd.runtime.seccomp.SeccompConstants;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A small seccomp agent, as runc's tests/cmd/seccompagent: listens on a unix
 * stream socket, takes the container process state with the listener fd from one
 * connection, then answers notifications on that fd. Plain JNA, so it checks the
 * runtime's sending side against an independent receiver.
 */
final class TestSeccompAgent implements AutoCloseable {
    interface C extends Library {
        C INSTANCE = Native.load(io.jsyd.runtime.linux.CLibrary.SONAME, C.class);

        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int len);

        int listen(int fd, int backlog);

        int accept(int fd, Pointer addr, Pointer len);

        NativeLong recvmsg(int fd, Pointer msg, int flags);

        int ioctl(int fd, NativeLong request, Pointer arg);

        int close(int fd);
    }

    private static final C LIBC = C.INSTANCE;

    /** The state JSON as received and the fd that came with it (-1 if none). */
    record Handoff(String json, int fd, int messages) {
    }

    /** One notification: its id, the pid and syscall number, the arguments. */
    record Notification(long id, int pid, int nr, long[] args) {
    }

    private final int fd;

    private TestSeccompAgent(int fd) {
        this.fd = fd;
    }

    static TestSeccompAgent listen(Path path) {
        int s = LIBC.socket((int) LinuxConstants.AF_UNIX, (int) LinuxConstants.SOCK_STREAM, 0);
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        try (Memory addr = new Memory(LinuxConstants.SIZEOF_SOCKADDR_UN)) {
            addr.clear();
            addr.setShort(0, (short) LinuxConstants.AF_UNIX);
            addr.write(LinuxConstants.SOCKADDR_UN_PATH, name, 0, name.length);
            if (s < 0 || LIBC.bind(s, addr, LinuxConstants.SIZEOF_SOCKADDR_UN) != 0 || LIBC.listen(s, 4) != 0) {
                throw new IllegalStateException("listen on " + path + ": errno " + Native.getLastError());
            }
        }
        return new TestSeccompAgent(s);
    }

    /** Accepts one connection and reads it to its end; the fd rides on the first message. */
    Handoff accept() {
        int conn = LIBC.accept(fd, Pointer.NULL, Pointer.NULL);
        if (conn < 0) {
            throw new IllegalStateException("accept: errno " + Native.getLastError());
        }
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        int passed = -1;
        int messages = 0;
        try (Memory buf = new Memory(4096); Memory iov = new Memory(LinuxConstants.SIZEOF_IOVEC);
             Memory control = new Memory(256); Memory msg = new Memory(LinuxConstants.SIZEOF_MSGHDR)) {
            while (true) {
                iov.setPointer(0, buf);
                iov.setNativeLong(LinuxConstants.IOVEC_LEN, new NativeLong(buf.size()));
                control.clear();
                msg.clear();
                msg.setPointer(LinuxConstants.MSGHDR_IOV, iov);
                msg.setNativeLong(LinuxConstants.MSGHDR_IOVLEN, new NativeLong(1));
                msg.setPointer(LinuxConstants.MSGHDR_CONTROL, control);
                msg.setNativeLong(LinuxConstants.MSGHDR_CONTROLLEN, new NativeLong(control.size()));
                long n = LIBC.recvmsg(conn, msg, 0).longValue();
                if (n < 0) {
                    throw new IllegalStateException("recvmsg: errno " + Native.getLastError());
                }
                if (n == 0) {
                    break;
                }
                messages++;
                if (msg.getNativeLong(LinuxConstants.MSGHDR_CONTROLLEN).longValue() >= LinuxConstants.CMSG_LEN_ONE_FD
                        && control.getInt(LinuxConstants.CMSG_TYPE) == LinuxConstants.SCM_RIGHTS) {
                    if (passed >= 0) {
                        throw new IllegalStateException("a second fd arrived");
                    }
                    passed = control.getInt(LinuxConstants.CMSG_DATA_OFFSET);
                }
                json.write(buf.getByteArray(0, (int) n), 0, (int) n);
            }
        } finally {
            LIBC.close(conn);
        }
        return new Handoff(json.toString(StandardCharsets.UTF_8), passed, messages);
    }

    static Notification receive(int listener) {
        try (Memory n = new Memory(SeccompConstants.SIZEOF_SECCOMP_NOTIF)) {
            n.clear();
            if (LIBC.ioctl(listener, new NativeLong(SeccompConstants.SECCOMP_IOCTL_NOTIF_RECV), n) != 0) {
                throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_RECV: errno " + Native.getLastError());
            }
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = n.getLong(SeccompConstants.SECCOMP_NOTIF_ARGS + 8L * i);
            }
            return new Notification(n.getLong(SeccompConstants.SECCOMP_NOTIF_ID),
                    n.getInt(SeccompConstants.SECCOMP_NOTIF_PID), n.getInt(SeccompConstants.SECCOMP_NOTIF_NR), args);
        }
    }

    /** The notified syscall returns {@code value}, or fails with {@code errno} when that is not 0. */
    static void answer(int listener, Notification n, long value, int errno) {
        try (Memory resp = new Memory(SeccompConstants.SIZEOF_SECCOMP_NOTIF_RESP)) {
            resp.clear();
            resp.setLong(SeccompConstants.SECCOMP_NOTIF_RESP_ID, n.id());
            resp.setLong(SeccompConstants.SECCOMP_NOTIF_RESP_VAL, value);
            resp.setInt(SeccompConstants.SECCOMP_NOTIF_RESP_ERROR, -errno);
            if (LIBC.ioctl(listener, new NativeLong(SeccompConstants.SECCOMP_IOCTL_NOTIF_SEND), resp) != 0) {
                throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_SEND: errno " + Native.getLastError());
            }
        }
    }

    static void closeFd(int fd) {
        LIBC.close(fd);
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
