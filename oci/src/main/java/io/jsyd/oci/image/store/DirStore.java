package io.jsyd.oci.image.store;

import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.DirFd;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An image source that is a directory (an OCI image layout, an unpacked Docker
 * archive). Files are opened with the directory as the root, so a symlink in
 * the source cannot make us read a host file as a blob.
 */
public final class DirStore implements BlobStore {
    private final Path dir;
    private final DirFd fd;

    public DirStore(Path dir) {
        this.dir = dir;
        this.fd = DirFd.open(dir);
    }

    @Override
    public boolean exists(String path) throws IOException {
        try {
            openFd(path).close();
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        try (Fd f = openFd(path)) {
            Path link = Path.of("/proc/self/fd/" + f.get());
            if (!java.nio.file.Files.isRegularFile(link)) {
                throw new IOException(location(path) + ": not a regular file");
            }
            // A second open of the same file through its fd link: the JDK's own stream, no path lookup.
            return new FileInputStream(link.toFile());
        }
    }

    @Override
    public long size(String path) throws IOException {
        try (Fd f = openFd(path)) {
            return java.nio.file.Files.size(Path.of("/proc/self/fd/" + f.get()));
        }
    }

    private Fd openFd(String path) throws IOException {
        try {
            Fd f = fd.openInRoot(BlobStore.checked(path).getBytes(StandardCharsets.UTF_8),
                    (int) (LinuxConstants.O_RDONLY | LinuxConstants.O_NONBLOCK));
            return f;
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR)) {
                throw new NoSuchFileException(location(path));
            }
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public String location(String path) {
        return dir.resolve(path).toString();
    }

    @Override
    public void close() {
        fd.close();
    }
}
