package io.jsyd.oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.cli.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same layered image unpacked by umoci (Debian's) and by us must give the
 * same tree: paths, types, modes (setuid, setgid, sticky), owners, link
 * targets, device numbers, xattrs (security.capability among them), content
 * and hard-link groups, across whiteouts, opaque directories and replacements.
 */
@Tag("root")
class UmociComparisonTest {
    /** security.capability, VFS v2: cap_net_raw and cap_setuid permitted and effective (a 0x80 byte in it). */
    static final byte[] CAPABILITY = HexFormat.of().parseHex("0100000280200000000000000000000000000000");

    @TempDir
    Path tmp;

    static byte[] lowerLayer() {
        String longName = "deep/" + "n".repeat(120) + "/" + "f".repeat(200);
        return new TarBuilder()
                .dir("./", 0755)
                .dir("etc/", 0755)
                .file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
                .file("etc/group", 0644, "root:x:0:\ntty:x:5:\nusers:x:100:\n")
                .dir("tmp/", 01777)
                .dir("usr/", 0755).dir("usr/bin/", 0755)
                .file("usr/bin/su", 04755, "su")
                .owner(0, 5).file("usr/bin/wall", 02755, "wall").owner(0, 0)
                .xattr("security.capability", CAPABILITY).file("usr/bin/ping", 0755, "ping")
                .owner(1000, 1000).xattr("user.comment", "hello".getBytes())
                .dir("data/", 0750)
                .file("data/file1", 0640, "one")
                .hardlink("data/link1", "data/file1")
                .symlink("data/sym", "../etc/passwd")
                .symlink("data/abs", "/etc/group")
                .owner(0, 0)
                .dir("deep/", 0755).dir("deep/" + "n".repeat(120) + "/", 0700)
                .file(longName, 0600, "long")
                .dir("dev/", 0755)
                .charDevice("dev/null", 0666, 1, 3)
                .owner(0, 6).entry('4', "dev/loop0", "", 0660, new byte[0], 7, 0).owner(0, 0)
                .dir("run/", 0755).fifo("run/fifo", 0600)
                .dir("wh/", 0755).file("wh/x", 0644, "x").file("wh/y", 0644, "y")
                .dir("wh/sub/", 0755).file("wh/sub/z", 0644, "z")
                .dir("opq/", 0755).file("opq/a", 0644, "a").dir("opq/sub/", 0755).file("opq/sub/b", 0644, "b")
                .file("replaced-file", 0644, "file")
                .dir("replaced-dir/", 0755).file("replaced-dir/child", 0644, "c")
                .owner(0, 100).dir("setgid-dir/", 02775).owner(0, 0)
                .build();
    }

    static byte[] upperLayer() {
        return new TarBuilder()
                .file("wh/.wh.x", 0644, "")
                .file("wh/.wh.sub", 0644, "")
                .dir("opq/", 0711)
                .file("opq/.wh..wh..opq", 0644, "")
                .file("opq/c", 0644, "c")
                .hardlink("hl2", "data/file1")
                .owner(1000, 1000).file("data/file1", 0600, "ONE").owner(0, 0)
                .dir("replaced-file/", 0700).file("replaced-file/inner", 0644, "inner")
                .symlink("replaced-dir", "wh")
                .file("usr/bin/su", 0755, "su2")
                .dir("setgid-dir/child/", 0755)
                .build();
    }

    @Test
    void sameTreeAsUmoci() throws Exception {
        assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "needs root (owners, devices)");
        Optional<Tools.Output> version = Tools.run(tmp, "umoci", "--version");
        assumeTrue(version.isPresent() && version.get().status() == 0, "umoci is not installed");

        Path layout = new LayoutBuilder(tmp.resolve("layout"))
                .layer(lowerLayer(), Compression.GZIP)
                .layer(upperLayer(), Compression.NONE)
                .layer(new TarBuilder().file("third", 0644, "3").build(), Compression.GZIP)
                .config("Cmd", java.util.List.of("sh"))
                .write("test");
        Optional<Tools.Output> umoci = Tools.run(tmp, "umoci", "unpack", "--image", layout + ":test",
                tmp.resolve("umoci").toString());
        assertEquals(0, umoci.orElseThrow().status(), umoci.get().out());
        Cli.Result ours = Cli.run(tmp, "bundle", "create", "--quiet", layout.toString(), tmp.resolve("ours").toString());
        assertEquals(0, ours.status(), ours.err());

        TreeSnapshot expected = TreeSnapshot.of(tmp.resolve("umoci/rootfs"));
        TreeSnapshot actual = TreeSnapshot.of(tmp.resolve("ours/rootfs"));
        assertEquals(expected.text(), actual.text());
        // and the tree is what the layers say, not just what umoci says
        String text = actual.text();
        assertTrue(text.contains("/usr/bin/ping file mode=0755 owner=0:0") && text.contains(
                "security.capability=" + HexFormat.of().formatHex(CAPABILITY)), text);
        assertTrue(text.contains("/tmp dir mode=1777") && text.contains("/setgid-dir dir mode=2775 owner=0:100"), text);
        assertTrue(text.contains("/dev/loop0 block mode=0660 owner=0:6 dev=7,0"), text);
        assertTrue(text.contains("hardlinks /data/link1 = /hl2"), text);
        assertTrue(!text.contains("/wh/x") && !text.contains("/wh/sub") && text.contains("/wh/y"), text);
        assertTrue(!text.contains("/opq/a") && !text.contains("/opq/sub") && text.contains("/opq/c"), text);
        assertTrue(text.contains("/replaced-dir symlink owner=0:0 -> wh"), text);
        assertTrue(Files.readString(tmp.resolve("ours/rootfs/data/link1")).equals("one"));
    }
}
