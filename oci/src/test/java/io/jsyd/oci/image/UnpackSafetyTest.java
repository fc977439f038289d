package io.jsyd.oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.cli.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers: whatever their entries say, nothing is written, linked or
 * removed outside the bundle, and a refused image leaves nothing behind.
 */
class UnpackSafetyTest {
    @TempDir
    Path tmp;
    private Path outside;
    private Path victim;
    private Path bundle;
    /** "../" enough times to climb out of any rootfs, then the host path of the outside directory. */
    private String climb;

    @BeforeEach
    void setUp() throws IOException {
        outside = Files.createDirectories(tmp.resolve("outside"));
        victim = Files.writeString(outside.resolve("victim"), "safe");
        bundle = tmp.resolve("bundle");
        climb = "../".repeat(40) + outside.toString().substring(1);
    }

    private Cli.Result create(LayoutBuilder layout, String... extra) throws IOException {
        layout.write("latest");
        List<String> args = new java.util.ArrayList<>(List.of("bundle", "create", "--quiet"));
        args.addAll(List.of(extra));
        args.add(layout.dir().toString());
        args.add(bundle.toString());
        return Cli.run(tmp, args.toArray(String[]::new));
    }

    private LayoutBuilder layout() throws IOException {
        return new LayoutBuilder(tmp.resolve("layout"));
    }

    /** The host side: the victim untouched, nothing new next to it, no temporary directory left. */
    private void assertOutsideUntouched() throws IOException {
        assertEquals("safe", Files.readString(victim));
        assertEquals(1, Files.getAttribute(victim, "unix:nlink"));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(List.of(victim), s.toList());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(),
                    "temporary directories left");
        }
    }

    private void assertRefused(Cli.Result r, String... words) throws IOException {
        assertEquals(1, r.status(), r.err());
        for (String w : words) {
            assertTrue(r.err().contains(w), "'" + w + "' not in: " + r.err());
        }
        assertFalse(Files.exists(bundle, LinkOption.NOFOLLOW_LINKS), "a refused image left a bundle");
        assertOutsideUntouched();
    }

    @Test
    void dotDotAndAbsoluteNamesLandInsideTheRootfs() throws Exception {
        byte[] tar = new TarBuilder()
                .file(climb + "/pwned", 0644, "x")
                .file(outside + "/abs", 0644, "y")
                .file("a/../../../b", 0644, "z")
                .build();
        Cli.Result r = create(layout().layer(tar, Compression.NONE));
        assertEquals(0, r.status(), r.err());
        Path rootfs = bundle.resolve("rootfs");
        assertEquals("x", Files.readString(rootfs.resolve(outside.toString().substring(1)).resolve("pwned")));
        assertEquals("y", Files.readString(rootfs.resolve(outside.toString().substring(1)).resolve("abs")));
        assertEquals("z", Files.readString(rootfs.resolve("b")));
        assertOutsideUntouched();
    }

    @Test
    void symlinkPlantedByALowerLayerIsNotFollowedOut() throws Exception {
        byte[] lower = new TarBuilder()
                .symlink("abs", outside.toString())
                .symlink("rel", climb)
                .build();
        byte[] upper = new TarBuilder().file("abs/pwned", 0644, "x").build();
        assertRefused(create(layout().layer(lower, Compression.NONE).layer(upper, Compression.GZIP)), "abs");

        byte[] upper2 = new TarBuilder().file("rel/pwned", 0644, "x").build();
        Files.walk(tmp.resolve("layout")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertRefused(create(layout().layer(lower, Compression.NONE).layer(upper2, Compression.NONE)), "rel");
    }

    @Test
    void symlinksInsideTheRootfsAreFollowedThere() throws Exception {
        byte[] lower = new TarBuilder()
                .dir("real", 0755)
                .symlink("link", "/real")
                .symlink("up", "../../../../..")
                .build();
        byte[] upper = new TarBuilder()
                .file("link/f", 0644, "via link")
                .file("up/g", 0644, "via up")
                .file("up/etc/h", 0644, "made etc")
                .build();
        Cli.Result r = create(layout().layer(lower, Compression.NONE).layer(upper, Compression.NONE));
        assertEquals(0, r.status(), r.err());
        Path rootfs = bundle.resolve("rootfs");
        assertEquals("via link", Files.readString(rootfs.resolve("real/f")));
        assertEquals("via up", Files.readString(rootfs.resolve("g")));
        assertEquals("made etc", Files.readString(rootfs.resolve("etc/h")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("link")));
        assertOutsideUntouched();
    }

    @Test
    void hardLinksCannotReachOutside() throws Exception {
        byte[] tar = new TarBuilder().hardlink("h", climb + "/victim").build();
        assertRefused(create(layout().layer(tar, Compression.NONE)), "hard link h", "in the rootfs");

        byte[] lower = new TarBuilder().symlink("s", outside.toString()).build();
        byte[] upper = new TarBuilder().hardlink("h2", "s/victim").build();
        Files.walk(tmp.resolve("layout")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertRefused(create(layout().layer(lower, Compression.NONE).layer(upper, Compression.NONE)), "hard link h2");
    }

    @Test
    void whiteoutsCannotRemoveOutside() throws Exception {
        byte[] lower = new TarBuilder()
                .symlink("s", outside.toString())
                .file("keep", 0644, "k")
                .build();
        byte[] upper = new TarBuilder()
                .file(climb + "/.wh.victim", 0644, "")
                .file("s/.wh.victim", 0644, "")
                .file("s/.wh..wh..opq", 0644, "")
                .build();
        Cli.Result r = create(layout().layer(lower, Compression.NONE).layer(upper, Compression.NONE));
        assertOutsideUntouched();
        if (r.status() == 0) {
            assertEquals("k", Files.readString(bundle.resolve("rootfs/keep")));
        } else {
            assertFalse(Files.exists(bundle));
        }
        byte[] dotdot = new TarBuilder().file("d/.wh...", 0644, "").build();
        Files.walk(tmp.resolve("layout")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        if (Files.exists(bundle)) {
            io.jsyd.oci.image.unpack.Tree.removeAll(bundle);
        }
        assertRefused(create(layout().layer(dotdot, Compression.NONE)), "whiteout", "names no file");
    }

    @Test
    void overlayXattrsAreLeftOut() throws Exception {
        byte[] tar = new TarBuilder().xattr("trusted.overlay.redirect", "/etc".getBytes())
                .xattr("user.kept", "v".getBytes()).file("f", 0644, "f").build();
        Cli.Result r = create(layout().layer(tar, Compression.NONE));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("trusted.overlay"), r.err());
        try (io.jsyd.runtime.linux.DirFd d = io.jsyd.runtime.linux.DirFd.open(bundle.resolve("rootfs"))) {
            assertEquals(java.util.Set.of("user.kept"), d.xattrs("f".getBytes()).keySet());
        }
    }

    @Test
    void sizeBombIsStoppedAtTheLimit() throws Exception {
        byte[] tar = new TarBuilder().file("zeros", 0644, new byte[8 << 20]).build();
        Cli.Result r = create(layout().layer(tar, Compression.GZIP), "--max-size", "1M");
        assertRefused(r, "more than 1.0 MiB", "--max-size");
    }

    @Test
    void entryBombIsStoppedAtTheLimit() throws Exception {
        TarBuilder t = new TarBuilder();
        for (int i = 0; i < 300; i++) {
            t.file("f" + i, 0644, "");
        }
        Cli.Result r = create(layout().layer(t.build(), Compression.ZSTD), "--max-entries", "100");
        assertRefused(r, "more than 100 entries", "--max-entries");
    }
}
