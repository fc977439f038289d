package io.jsyd.runtime.linux;

import io.jsyd.runtime.SyscallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * java.io streams over a descriptor this process received (a client's stdio
 * passed over a socket), which the JDK offers no public way to wrap. Closing a
 * stream closes the descriptor.
 */
public final class FdStreams {
    private FdStreams() {
    }

    public static InputStream input(Fd fd, String subject) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                byte[] buf = off == 0 && len == b.length ? b : new byte[len];
                int n;
                try {
                    n = FileOps.read(fd, buf, subject);
                } catch (SyscallException e) {
                    throw new IOException(e.getMessage(), e);
                }
                if (n == 0) {
                    return -1;
                }
                if (buf != b) {
                    System.arraycopy(buf, 0, b, off, n);
                }
                return n;
            }

            @Override
            public void close() {
                fd.close();
            }
        };
    }

    public static OutputStream output(Fd fd, String subject) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                byte[] buf = off == 0 ? b : java.util.Arrays.copyOfRange(b, off, off + len);
                try {
                    FileOps.write(fd, buf, len, subject);
                } catch (SyscallException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                fd.close();
            }
        };
    }
}
