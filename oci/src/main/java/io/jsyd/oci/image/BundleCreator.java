package io.jsyd.oci.image;

import io.jsyd.oci.ConflictException;
import io.jsyd.oci.ImageException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.image.unpack.RootfsWriter;
import io.jsyd.oci.image.unpack.Tree;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.runtime.KernelException;
import io.jsyd.runtime.SyscallException;
import io.jsyd.runtime.linux.DirFd;
import io.jsyd.runtime.linux.Errno;
import io.jsyd.runtime.linux.Fd;
import io.jsyd.runtime.linux.LinuxConstants;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Makes a runtime bundle (config.json + rootfs/) from an image, atomically:
 * everything is built in a hidden temporary directory next to the bundle and
 * renamed into place at the end. On any failure, or when the JVM is asked to
 * stop, the temporary directory is removed and nothing is left behind.
 */
public final class BundleCreator {
    private static final int MAX_ETC_FILE = 4 << 20;

    /**
     * @param rootless null for a config run by root, else {uid, gid} of the caller for the rootless variant
     * @param privileged whether the caller may chown, mknod devices and set privileged xattrs (root)
     */
    public record Options(Path source, Path bundle, String ref, Platform platform, Limits limits, boolean privileged,
                          long[] rootless) {
    }

    public record Result(Path bundle, ResolvedImage image, long bytes, long entries, Duration took) {
    }

    private BundleCreator() {
    }

    public static Result create(Options o, Progress progress, Consumer<String> warn) throws OciException {
        long started = System.nanoTime();
        Path bundle = o.bundle().toAbsolutePath().normalize();
        Path parent = bundle.getParent();
        if (parent == null) {
            throw new ImageException("the bundle directory cannot be /");
        }
        checkTarget(bundle);
        if (!Files.isDirectory(parent)) {
            throw new ImageException("the bundle's parent directory " + parent + " does not exist");
        }
        Path work;
        try {
            // 0700: the rootfs holds the image's setuid files, which no host user may reach
            work = Files.createTempDirectory(parent, "." + bundle.getFileName() + ".jsyd-");
        } catch (IOException e) {
            throw new OciIoException("create a directory in", parent, e);
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancelled.set(true);
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jsyd-oci bundle cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return build(o, bundle, work, progress, warn, cancelled, started);
        } catch (OciException | RuntimeException | Error e) {
            try {
                Tree.removeAll(work);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for the countDown above
            }
        }
    }

    private static Result build(Options o, Path bundle, Path work, Progress progress, Consumer<String> warn,
                                AtomicBoolean cancelled, long started) throws OciException {
        Path source = o.source().toAbsolutePath().normalize();
        Path spool = work.resolve(".source.tar");
        source = decompressedSource(source, spool, o.limits());
        try (ImageSource image = ImageSource.open(source)) {
            ResolvedImage resolved = image.resolve(o.ref(), o.platform());
            Path rootfs = work.resolve("rootfs");
            Files.createDirectory(rootfs);
            long bytes;
            long entries;
            Spec spec;
            try (DirFd root = DirFd.open(rootfs);
                 RootfsWriter writer = new RootfsWriter(root, o.privileged()
                         ? RootfsWriter.Privilege.ROOT : RootfsWriter.Privilege.UNPRIVILEGED)) {
                LayerUnpacker unpacker = new LayerUnpacker(image.store(), writer, o.limits(), progress, cancelled::get);
                int total = resolved.layers().size();
                for (int i = 0; i < total; i++) {
                    unpacker.unpack(resolved.layers().get(i), i + 1, total);
                }
                writer.finish();
                bytes = unpacker.bytes();
                entries = unpacker.entries();
                RootfsWriter.Skipped s = writer.skipped();
                if (s.devices() > 0 || s.xattrs() > 0) {
                    warn.accept("not root: left out " + s.devices() + " device nodes and " + s.xattrs()
                            + " extended attributes outside user.*; files are owned by you, not by the image's ids");
                }
                if (s.overlayXattrs() > 0) {
                    warn.accept("left out " + s.overlayXattrs() + " trusted.overlay.* extended attributes: overlayfs "
                            + "would act on them if the rootfs became one of its layers");
                }
                UserLookup.Resolved user = UserLookup.resolve(resolved.config().user(), etcFile(root, "etc/passwd"),
                        etcFile(root, "etc/group"));
                spec = RuntimeConfig.convert(resolved.config(), user, o.rootless(), warn);
            }
            Files.deleteIfExists(spool);
            Files.write(work.resolve("config.json"), (SpecJson.pretty(spec) + "\n").getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            if (cancelled.get()) {
                throw new ImageException("interrupted");
            }
            moveIntoPlace(work, bundle);
            return new Result(bundle, resolved, bytes, entries, Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new OciIoException("write bundle", work, e);
        } catch (KernelException e) {
            throw new ImageException("unpack into " + bundle + ": " + e.getMessage(), e);
        }
    }

    /** The bundle may not exist yet, or be an empty directory; anything else stays untouched. */
    private static void checkTarget(Path bundle) throws OciException {
        if (!Files.exists(bundle, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(bundle, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new ConflictException("bundle " + bundle + " exists and is not a directory");
        }
        try (DirectoryStream<Path> d = Files.newDirectoryStream(bundle)) {
            if (d.iterator().hasNext()) {
                throw new ConflictException("bundle directory " + bundle + " exists and is not empty");
            }
        } catch (IOException e) {
            throw new OciIoException("read", bundle, e);
        }
    }

    /**
     * rename(2) into place: onto nothing (RENAME_NOREPLACE, so a bundle made
     * meanwhile by someone else is not replaced), or onto an empty directory,
     * which rename replaces atomically.
     */
    private static void moveIntoPlace(Path work, Path bundle) throws OciException {
        try (DirFd parent = DirFd.open(bundle.getParent())) {
            byte[] from = work.getFileName().toString().getBytes(StandardCharsets.UTF_8);
            byte[] to = bundle.getFileName().toString().getBytes(StandardCharsets.UTF_8);
            try {
                parent.rename(from, parent, to, true);
            } catch (SyscallException e) {
                if (!e.is(Errno.EEXIST)) {
                    throw e;
                }
                checkTarget(bundle);
                parent.rename(from, parent, to, false);
            }
        } catch (SyscallException e) {
            if (e.is(Errno.ENOTEMPTY) || e.is(Errno.EEXIST)) {
                throw new ConflictException("bundle directory " + bundle + " was filled meanwhile");
            }
            throw new ImageException("move the bundle into place: " + e.getMessage(), e);
        }
    }

    /** A gzip or zstd archive is decompressed into the work directory first: blobs are read by position. */
    private static Path decompressedSource(Path source, Path spool, Limits limits) throws OciException {
        if (!Files.isRegularFile(source)) {
            return source;
        }
        try (InputStream raw = new java.io.BufferedInputStream(new FileInputStream(source.toFile()), 1 << 16)) {
            if (Compression.sniff(raw) == Compression.NONE) {
                return source;
            }
            try (InputStream in = Compression.decompress(raw);
                 OutputStream out = Files.newOutputStream(spool, StandardOpenOption.CREATE_NEW)) {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > limits.maxBytes()) {
                        throw new ImageException("image archive " + source + " decompresses to more than "
                                + Progress.bytes(limits.maxBytes()) + " (--max-size)");
                    }
                    out.write(buf, 0, n);
                }
            }
            return spool;
        } catch (IOException e) {
            throw new ImageException("image archive " + source + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /**
     * A file of the unpacked rootfs, resolved inside it (a symlinked
     * /etc/passwd cannot point at the host's); "" when absent or not a regular
     * file. It is opened with O_PATH first, so a device node there is never
     * opened for reading.
     */
    static String etcFile(DirFd root, String path) {
        Fd handle;
        try {
            handle = root.openInRoot(path.getBytes(StandardCharsets.UTF_8), (int) LinuxConstants.O_PATH);
        } catch (SyscallException e) {
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR) || e.is(Errno.ELOOP)) {
                return "";
            }
            throw e;
        }
        try (handle) {
            Path link = Path.of("/proc/self/fd/" + handle.get());
            if (!Files.isRegularFile(link)) {
                return "";
            }
            try (InputStream in = new FileInputStream(link.toFile())) {
                return new String(in.readNBytes(MAX_ETC_FILE), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }
}
