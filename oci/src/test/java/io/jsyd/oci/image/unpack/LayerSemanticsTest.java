package io.jsyd.oci.image.unpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.image.tar.TarEntry;
import io.jsyd.oci.image.tar.TarReader;
import io.jsyd.runtime.linux.DirFd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Changeset rules of the image spec, applied by the writer directly (and
 * without root: the unprivileged mode is what a user gets).
 */
class LayerSemanticsTest {
    @TempDir
    Path tmp;

    private void apply(RootfsWriter w, byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        w.beginLayer();
        TarEntry e;
        while ((e = r.next()) != null) {
            w.apply(e, r);
        }
    }

    @Test
    void whiteoutsHideOnlyLowerLayers() throws Exception {
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        try (DirFd root = DirFd.open(rootfs); RootfsWriter w = new RootfsWriter(root, RootfsWriter.Privilege.UNPRIVILEGED)) {
            apply(w, TarFixtures.tar(t -> t.dir("a", 0755).file("a/x", 0644, "x").file("a/y", 0644, "y")
                    .dir("d", 0755).file("d/old", 0644, "o").file("gone", 0644, "g").dir("ro", 0555)
                    .file("ro/f", 0444, "f")));
            // this layer writes first, then hides: its own entries stay
            apply(w, TarFixtures.tar(t -> t.file("a/new", 0644, "n").file("a/.wh..wh..opq", 0644, "")
                    .dir("d", 0700).file("d/keep", 0644, "k").file(".wh.d", 0644, "")
                    .file(".wh.gone", 0644, "").file("ro/g", 0644, "g")));
            w.finish();
        }
        assertTrue(Files.exists(rootfs.resolve("a/new")));
        assertFalse(Files.exists(rootfs.resolve("a/x")) || Files.exists(rootfs.resolve("a/y")));
        assertTrue(Files.exists(rootfs.resolve("d/keep")));
        assertFalse(Files.exists(rootfs.resolve("d/old")));
        assertFalse(Files.exists(rootfs.resolve("gone")));
        assertFalse(Files.exists(rootfs.resolve(".wh.gone")));
        // a 0555 directory got its mode at the end, after the upper layer wrote into it
        assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(rootfs.resolve("ro"))));
        assertEquals("g", Files.readString(rootfs.resolve("ro/g")));
        Tree.removeAll(rootfs);
        assertFalse(Files.exists(rootfs));
    }

    @Test
    void replacementsAndLinks() throws Exception {
        Path rootfs = Files.createDirectory(tmp.resolve("rootfs"));
        try (DirFd root = DirFd.open(rootfs); RootfsWriter w = new RootfsWriter(root, RootfsWriter.Privilege.UNPRIVILEGED)) {
            apply(w, TarFixtures.tar(t -> t.dir("dir", 0755).file("dir/c", 0644, "c").file("f", 0644, "f")
                    .symlink("s", "f").fifo("p", 0600)));
            apply(w, TarFixtures.tar(t -> t.file("dir", 0644, "now a file").dir("f", 0700).file("s", 0644, "plain")
                    .hardlink("h", "dir").file("implicit/parent/x", 0644, "x")));
            w.finish();
        }
        assertEquals("now a file", Files.readString(rootfs.resolve("dir")));
        assertTrue(Files.isDirectory(rootfs.resolve("f")));
        assertFalse(Files.isSymbolicLink(rootfs.resolve("s")));
        assertEquals(2, Files.getAttribute(rootfs.resolve("h"), "unix:nlink"));
        assertTrue((Integer) Files.getAttribute(rootfs.resolve("p"), "unix:mode") != 0);
        assertEquals("x", Files.readString(rootfs.resolve("implicit/parent/x")));
    }
}
