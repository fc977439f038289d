package io.jsyd.runtime.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import io.jsyd.runtime.SyscallException;

/**
 * One end of an AF_UNIX socket, with messages that may carry one file descriptor.
 */
public final class UnixSocket implements AutoCloseable {
    private final Fd fd;

    private UnixSocket(Fd fd) {
        this.fd = fd;
    }

    /** Takes ownership of a connected socket: accepted, connected to a server, or inherited from a parent. */
    public static UnixSocket adopt(Fd fd) {
        return new UnixSocket(fd);
    }

    /** A close-on-exec SOCK_SEQPACKET pair: message boundaries are kept. */
    public static UnixSocket[] seqpacketPair() {
        int[] sv = new int[2];
        Sys.check(Sys.C.socketpair((int) LinuxConstants.AF_UNIX,
                (int) (LinuxConstants.SOCK_SEQPACKET | LinuxConstants.SOCK_CLOEXEC), 0, sv), "socketpair", "");
        return new UnixSocket[] {new UnixSocket(Fd.adopt(sv[0])), new UnixSocket(Fd.adopt(sv[1]))};
    }

    /**
     * A close-on-exec SOCK_STREAM socket connected to the listening socket at
     * {@code path} (which must fit sockaddr_un: under 108 bytes).
     */
    public static UnixSocket connect(java.nio.file.Path path) {
        byte[] name = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int room = LinuxConstants.SIZEOF_SOCKADDR_UN - LinuxConstants.SOCKADDR_UN_PATH;
        if (name.length >= room) {
            throw new SyscallException("connect", Errno.ENAMETOOLONG.number(), path + " (a socket path takes at most "
                    + (room - 1) + " bytes)");
        }
        Fd sock = Fd.adopt(Sys.check(Sys.C.socket((int) LinuxConstants.AF_UNIX,
                (int) (LinuxConstants.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC), 0), "socket", "AF_UNIX"));
        try (Memory addr = new Memory(LinuxConstants.SIZEOF_SOCKADDR_UN)) {
            addr.clear();
            addr.setShort(0, (short) LinuxConstants.AF_UNIX);
            addr.write(LinuxConstants.SOCKADDR_UN_PATH, name, 0, name.length);
            while (Sys.C.connect(sock.get(), addr, LinuxConstants.SOCKADDR_UN_PATH + name.length + 1) != 0) {
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("connect", errno, path.toString());
                }
            }
            return new UnixSocket(sock);
        } catch (RuntimeException e) {
            sock.close();
            throw e;
        }
    }

    public Fd fd() {
        return fd;
    }

    /**
     * Sends {@code data} with {@code passed} attached (SCM_RIGHTS) to the first
     * message. On a stream socket a short write is finished by more messages
     * without the fd, as the receiver of a stream expects.
     */
    public void sendWithFd(byte[] data, Fd passed) {
        if (data.length == 0) {
            throw new IllegalArgumentException("an fd travels with at least one byte of data");
        }
        try (Memory buf = new Memory(data.length); Memory control = new Memory(LinuxConstants.CMSG_SPACE_ONE_FD)) {
            buf.write(0, data, 0, data.length);
            control.clear();
            control.setNativeLong(LinuxConstants.CMSGHDR_LEN, new NativeLong(LinuxConstants.CMSG_LEN_ONE_FD));
            control.setInt(LinuxConstants.CMSG_LEVEL, (int) LinuxConstants.SOL_SOCKET);
            control.setInt(LinuxConstants.CMSG_TYPE, (int) LinuxConstants.SCM_RIGHTS);
            control.setInt(LinuxConstants.CMSG_DATA_OFFSET, passed.get());
            long off = 0;
            boolean first = true;
            while (off < data.length) {
                try (Memory iov = iovec(buf.share(off), data.length - off);
                     Memory msg = first ? msghdr(iov, control, LinuxConstants.CMSG_SPACE_ONE_FD) : msghdr(iov, Pointer.NULL, 0)) {
                    long n = Sys.C.sendmsg(fd.get(), msg, (int) LinuxConstants.MSG_NOSIGNAL).longValue();
                    if (n == -1) {
                        int errno = Native.getLastError();
                        if (errno == Errno.EINTR.number()) {
                            continue;
                        }
                        throw new SyscallException("sendmsg", errno, fd.toString());
                    }
                    off += n;
                    first = false;
                }
            }
        }
    }

    /** A received message: its bytes and, when it carried one, a descriptor. */
    public record Received(byte[] data, Fd fd) {
    }

    public void send(byte[] data) {
        try (Memory buf = new Memory(Math.max(1, data.length)); Memory iov = iovec(buf, data.length);
             Memory msg = msghdr(iov, Pointer.NULL, 0)) {
            buf.write(0, data, 0, data.length);
            while (true) {
                long n = Sys.C.sendmsg(fd.get(), msg, (int) LinuxConstants.MSG_NOSIGNAL).longValue();
                if (n != -1) {
                    return;
                }
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("sendmsg", errno, fd.toString());
                }
            }
        }
    }

    /** Blocks for one message of at most {@code max} bytes; an empty array at EOF. */
    public Received receive(int max) {
        try (Memory buf = new Memory(max); Memory iov = iovec(buf, max);
             Memory control = new Memory(LinuxConstants.CMSG_SPACE_ONE_FD);
             Memory msg = msghdr(iov, control, LinuxConstants.CMSG_SPACE_ONE_FD)) {
            control.clear();
            long n;
            while (true) {
                n = Sys.C.recvmsg(fd.get(), msg, (int) LinuxConstants.MSG_CMSG_CLOEXEC).longValue();
                if (n != -1) {
                    break;
                }
                int errno = Native.getLastError();
                if (errno != Errno.EINTR.number()) {
                    throw new SyscallException("recvmsg", errno, fd.toString());
                }
            }
            Fd passed = null;
            long controlLen = msg.getNativeLong(LinuxConstants.MSGHDR_CONTROLLEN).longValue();
            if (controlLen >= LinuxConstants.CMSG_LEN_ONE_FD
                    && control.getInt(LinuxConstants.CMSG_LEVEL) == LinuxConstants.SOL_SOCKET
                    && control.getInt(LinuxConstants.CMSG_TYPE) == LinuxConstants.SCM_RIGHTS) {
                passed = Fd.adopt(control.getInt(LinuxConstants.CMSG_DATA_OFFSET));
            }
            return new Received(buf.getByteArray(0, (int) n), passed);
        }
    }

    private static Memory iovec(Pointer base, long len) {
        Memory iov = new Memory(LinuxConstants.SIZEOF_IOVEC);
        iov.setPointer(0, base);
        iov.setNativeLong(LinuxConstants.IOVEC_LEN, new NativeLong(len));
        return iov;
    }

    private static Memory msghdr(Pointer iov, Pointer control, long controlLen) {
        Memory m = new Memory(LinuxConstants.SIZEOF_MSGHDR);
        m.clear();
        m.setPointer(LinuxConstants.MSGHDR_IOV, iov);
        m.setNativeLong(LinuxConstants.MSGHDR_IOVLEN, new NativeLong(1));
        m.setPointer(LinuxConstants.MSGHDR_CONTROL, control);
        m.setNativeLong(LinuxConstants.MSGHDR_CONTROLLEN, new NativeLong(controlLen));
        return m;
    }

    @Override
    public void close() {
        fd.close();
    }
}
