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
        Fd sock = Fd.adopt(Sys.check(Sys.C.socket((int) LinuxConstants.AF_UNIX,
                (int) (LinuxConstants.SOCK_STREAM | LinuxConstants.SOCK_CLOEXEC), 0), "socket", "AF_UNIX"));
        try (Memory addr = address("connect", path)) {
            while (Sys.C.connect(sock.get(), addr, (int) addr.size()) != 0) {
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

    /** sockaddr_un for {@code path}, sized to the name and its NUL. */
    private static Memory address(String syscall, java.nio.file.Path path) {
        byte[] name = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int room = LinuxConstants.SIZEOF_SOCKADDR_UN - LinuxConstants.SOCKADDR_UN_PATH;
        if (name.length >= room) {
            throw new SyscallException(syscall, Errno.ENAMETOOLONG.number(), path + " (a socket path takes at most "
                    + (room - 1) + " bytes)");
        }
        Memory addr = new Memory(LinuxConstants.SOCKADDR_UN_PATH + name.length + 1);
        addr.clear();
        addr.setShort(0, (short) LinuxConstants.AF_UNIX);
        addr.write(LinuxConstants.SOCKADDR_UN_PATH, name, 0, name.length);
        return addr;
    }

    /** The uid of the process at the other end, as the kernel recorded it at connect (SO_PEERCRED). */
    public long peerUid() {
        try (Memory cred = new Memory(12)) {
            com.sun.jna.ptr.IntByReference len = new com.sun.jna.ptr.IntByReference(12);
            Sys.check(Sys.C.getsockopt(fd.get(), (int) LinuxConstants.SOL_SOCKET, (int) LinuxConstants.SO_PEERCRED,
                    cred, len), "getsockopt", "SO_PEERCRED");
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            return Integer.toUnsignedLong(cred.getInt(4));
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
        sendWithFds(data, java.util.List.of(passed));
    }

    /** As {@link #sendWithFd}, with any number of descriptors, in order. */
    public void sendWithFds(byte[] data, java.util.List<Fd> passed) {
        if (data.length == 0) {
            throw new IllegalArgumentException("an fd travels with at least one byte of data");
        }
        int space = LinuxConstants.CMSG_DATA_OFFSET + align8(4 * passed.size());
        try (Memory buf = new Memory(data.length); Memory control = new Memory(space)) {
            buf.write(0, data, 0, data.length);
            control.clear();
            control.setNativeLong(LinuxConstants.CMSGHDR_LEN,
                    new NativeLong(LinuxConstants.CMSG_DATA_OFFSET + 4L * passed.size()));
            control.setInt(LinuxConstants.CMSG_LEVEL, (int) LinuxConstants.SOL_SOCKET);
            control.setInt(LinuxConstants.CMSG_TYPE, (int) LinuxConstants.SCM_RIGHTS);
            for (int i = 0; i < passed.size(); i++) {
                control.setInt(LinuxConstants.CMSG_DATA_OFFSET + 4L * i, passed.get(i).get());
            }
            long off = 0;
            boolean first = !passed.isEmpty();
            while (off < data.length) {
                try (Memory iov = iovec(buf.share(off), data.length - off);
                     Memory msg = first ? msghdr(iov, control, space) : msghdr(iov, Pointer.NULL, 0)) {
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

    /** A received message: its bytes and, when it carried one, a descriptor. */
    public record Received(byte[] data, Fd fd) {
    }

    /** Blocks for one message of at most {@code max} bytes; an empty array at EOF. */
    public Received receive(int max) {
        ReceivedFds r = receive(max, 1);
        return new Received(r.data(), r.fds().isEmpty() ? null : r.fds().getFirst());
    }

    /** A received message: its bytes and the descriptors it carried, in order. */
    public record ReceivedFds(byte[] data, java.util.List<Fd> fds) {
        public ReceivedFds {
            fds = java.util.List.copyOf(fds);
        }
    }

    /**
     * Blocks for one message of at most {@code max} bytes carrying at most
     * {@code maxFds} descriptors (close-on-exec here); an empty array at EOF. A
     * message that carried more descriptors than that is an error, and none of
     * them stays open.
     */
    public ReceivedFds receive(int max, int maxFds) {
        int dataOffset = LinuxConstants.CMSG_DATA_OFFSET;
        // CMSG_SPACE(n fds): the aligned header, then the fds rounded up to the alignment
        int space = dataOffset + align8(4 * maxFds);
        try (Memory buf = new Memory(max); Memory iov = iovec(buf, max); Memory control = new Memory(space);
             Memory msg = msghdr(iov, control, space)) {
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
            java.util.List<Fd> passed = new java.util.ArrayList<>();
            long controlLen = msg.getNativeLong(LinuxConstants.MSGHDR_CONTROLLEN).longValue();
            if (controlLen >= LinuxConstants.CMSG_LEN_ONE_FD
                    && control.getInt(LinuxConstants.CMSG_LEVEL) == LinuxConstants.SOL_SOCKET
                    && control.getInt(LinuxConstants.CMSG_TYPE) == LinuxConstants.SCM_RIGHTS) {
                long cmsgLen = control.getNativeLong(LinuxConstants.CMSGHDR_LEN).longValue();
                for (long off = dataOffset; off + 4 <= cmsgLen; off += 4) {
                    passed.add(Fd.adopt(control.getInt(off)));
                }
            }
            int flags = msg.getInt(LinuxConstants.MSGHDR_FLAGS);
            if ((flags & (int) LinuxConstants.MSG_CTRUNC) != 0) {
                passed.forEach(Fd::close);
                throw new SyscallException("recvmsg", Errno.EMSGSIZE.number(),
                        fd + " (a message carried more than " + maxFds + " descriptors)");
            }
            return new ReceivedFds(buf.getByteArray(0, (int) n), passed);
        }
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
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
