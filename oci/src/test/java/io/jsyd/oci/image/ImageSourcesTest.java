package io.jsyd.oci.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jsyd.oci.cli.Cli;
import io.jsyd.oci.spec.SpecJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Sources, selection and verification: every blob checked, every refusal clear, nothing left on failure. */
class ImageSourcesTest {
    @TempDir
    Path tmp;

    private static byte[] smallLayer(String marker) {
        return new TarBuilder().dir("etc", 0755).file("etc/passwd", 0644, "root:x:0:0:root:/root:/bin/sh\n")
                .file("marker", 0644, marker).build();
    }

    private Cli.Result create(Path source, Path bundle, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("bundle", "create", "--quiet"));
        args.addAll(List.of(extra));
        args.add(source.toString());
        args.add(bundle.toString());
        return Cli.run(tmp, args.toArray(String[]::new));
    }

    private void assertNothingLeft(Path bundle) throws IOException {
        assertFalse(Files.exists(bundle), "bundle left behind");
        try (Stream<Path> s = Files.list(bundle.getParent())) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }
    }

    private JsonNode config(Path bundle) throws IOException {
        return SpecJson.mapper().readTree(Files.readAllBytes(bundle.resolve("config.json")));
    }

    @Test
    void ociLayoutWithEveryCompressionAndTheImageConfig() throws Exception {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("layout"))
                .layer(new TarBuilder().dir("etc", 0755).file("etc/passwd", 0644,
                        "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")
                        .file("etc/group", 0644, "root:x:0:\napp:x:1000:\nwheel:x:10:app\nvideo:x:44:other,app\n")
                        .build(), Compression.NONE)
                .layer(new TarBuilder().file("marker", 0644, "gzip").build(), Compression.GZIP)
                .layer(new TarBuilder().file("zstd", 0600, "z").build(), Compression.ZSTD)
                .config("Entrypoint", List.of("/bin/app"))
                .config("Cmd", List.of("--flag"))
                .config("Env", List.of("A=1"))
                .config("WorkingDir", "/srv")
                .config("User", "app")
                .config("StopSignal", "SIGQUIT")
                .config("ExposedPorts", Map.of("80/tcp", Map.of()))
                .config("Labels", Map.of("org.opencontainers.image.os", "from-label", "org.jsyd.policy", "x"));
        Path layout = b.write("v1");
        Path bundle = tmp.resolve("b");
        Cli.Result r = create(layout, bundle);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("org.jsyd.policy"), r.err()); // warned about the dropped label
        assertEquals("gzip", Files.readString(bundle.resolve("rootfs/marker")));
        assertEquals("z", Files.readString(bundle.resolve("rootfs/zstd")));
        JsonNode c = config(bundle);
        assertEquals("[\"/bin/app\",\"--flag\"]", c.get("process").get("args").toString());
        assertEquals("/srv", c.get("process").get("cwd").stringValue());
        assertEquals(1000, c.get("process").get("user").get("uid").intValue());
        assertEquals(1000, c.get("process").get("user").get("gid").intValue());
        assertEquals("[10,44]", c.get("process").get("user").get("additionalGids").toString());
        assertTrue(c.get("process").get("env").toString().contains("HOME=/home/app"));
        assertTrue(c.get("process").get("env").toString().contains("A=1"));
        assertFalse(c.get("process").get("terminal").booleanValue());
        JsonNode a = c.get("annotations");
        assertEquals("from-label", a.get("org.opencontainers.image.os").stringValue()); // labels win
        assertEquals("SIGQUIT", a.get("org.opencontainers.image.stopSignal").stringValue());
        assertEquals("80/tcp", a.get("org.opencontainers.image.exposedPorts").stringValue());
        assertFalse(a.has("org.jsyd.policy"));
        assertEquals(0, Cli.run(tmp, "check", "-b", bundle.toString()).status());
    }

    @Test
    void corruptLayerNamesTheBlobAndBothDigests() throws Exception {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("m"), Compression.NONE);
        Path layout = b.write("latest");
        Path blob = b.layerFile(0);
        byte[] data = Files.readAllBytes(blob);
        int at = new String(data, StandardCharsets.ISO_8859_1).indexOf("root:x");
        data[at] = 'R';
        Files.write(blob, data);
        Path bundle = tmp.resolve("b");
        Cli.Result r = create(layout, bundle);
        assertEquals(1, r.status());
        String expected = "sha256:" + blob.getFileName();
        assertTrue(r.err().contains(blob.toString()) && r.err().contains("expected " + expected)
                && r.err().contains("has digest " + LayoutBuilder.sha256(data)), r.err());
        assertNothingLeft(bundle);
    }

    @Test
    void diffIdMismatchIsRefused() throws Exception {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("m"), Compression.GZIP)
                .diffId(0, LayoutBuilder.sha256("other".getBytes(StandardCharsets.UTF_8)));
        Path bundle = tmp.resolve("b");
        Cli.Result r = create(b.write("latest"), bundle);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("diff_id"), r.err());
        assertNothingLeft(bundle);
    }

    @Test
    void truncatedLayerAndMissingBlobAreRefused() throws Exception {
        LayoutBuilder b = new LayoutBuilder(tmp.resolve("layout")).layer(new TarBuilder()
                .file("big", 0644, new byte[200_000]).build(), Compression.GZIP);
        Path layout = b.write("latest");
        Path blob = b.layerFile(0);
        byte[] data = Files.readAllBytes(blob);
        Files.write(blob, Arrays.copyOf(data, data.length / 2));
        Path bundle = tmp.resolve("b");
        Cli.Result r = create(layout, bundle);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("layer 1 of 1") && (r.err().contains("truncated") || r.err().contains("early")),
                r.err());
        assertNothingLeft(bundle);
        Files.delete(blob);
        r = create(layout, bundle);
        assertTrue(r.err().contains("blob is missing"), r.err());
        assertNothingLeft(bundle);
    }

    @Test
    void platformIsChosenFromAnIndexAndAMissOneListsWhatIsThere() throws Exception {
        LayoutBuilder amd = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("amd64"), Compression.GZIP);
        LayoutBuilder.Blob amdManifest = amd.manifest();
        LayoutBuilder arm = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("arm64"), Compression.GZIP)
                .architecture("arm64");
        LayoutBuilder.Blob armManifest = arm.manifest();
        Map<String, Object> amdDesc = amdManifest.descriptor();
        amdDesc.put("platform", Map.of("os", "linux", "architecture", "amd64"));
        Map<String, Object> armDesc = armManifest.descriptor();
        armDesc.put("platform", Map.of("os", "linux", "architecture", "arm64", "variant", "v8"));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", "application/vnd.oci.image.index.v1+json");
        index.put("manifests", List.of(armDesc, amdDesc));
        LayoutBuilder.Blob indexBlob = amd.blob(LayoutBuilder.json(index), "application/vnd.oci.image.index.v1+json");
        Map<String, Object> top = indexBlob.descriptor();
        top.put("annotations", Map.of("org.opencontainers.image.ref.name", "multi"));
        amd.writeIndex(List.of(top));

        Path b1 = tmp.resolve("b1");
        assertEquals(0, create(tmp.resolve("layout"), b1, "--platform", "linux/amd64").status());
        assertEquals("amd64", Files.readString(b1.resolve("rootfs/marker")));
        Path b2 = tmp.resolve("b2");
        assertEquals(0, create(tmp.resolve("layout"), b2, "--platform", "linux/arm64").status());
        assertEquals("arm64", Files.readString(b2.resolve("rootfs/marker")));
        Path b3 = tmp.resolve("b3");
        Cli.Result r = create(tmp.resolve("layout"), b3, "--platform", "linux/s390x");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no image for platform linux/s390x")
                && r.err().contains("linux/arm64/v8, linux/amd64"), r.err());
        assertNothingLeft(b3);
        assertEquals(2, create(tmp.resolve("layout"), b3, "--platform", "linux").status());
    }

    @Test
    void refIsRequiredWhenThereAreSeveralImages() throws Exception {
        LayoutBuilder one = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("one"), Compression.NONE);
        Map<String, Object> d1 = one.manifest().descriptor();
        d1.put("annotations", Map.of("org.opencontainers.image.ref.name", "localhost/app:one"));
        LayoutBuilder two = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("two"), Compression.NONE);
        Map<String, Object> d2 = two.manifest().descriptor();
        d2.put("annotations", Map.of("org.opencontainers.image.ref.name", "localhost/app:two"));
        one.writeIndex(List.of(d1, d2));
        Path b = tmp.resolve("b");
        Cli.Result r = create(tmp.resolve("layout"), b);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("localhost/app:one, localhost/app:two") && r.err().contains("--ref"), r.err());
        assertEquals(0, create(tmp.resolve("layout"), b, "--ref", "app:two").status());
        assertEquals("two", Files.readString(b.resolve("rootfs/marker")));
        r = create(tmp.resolve("layout"), tmp.resolve("c"), "--ref", "app:three");
        assertTrue(r.err().contains("no image app:three") && r.err().contains("localhost/app:one"), r.err());
    }

    @Test
    void ociArchiveCompressedOrNotAndDockerArchive() throws Exception {
        Path layout = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("archived"), Compression.GZIP)
                .config("Cmd", List.of("true")).write("latest");
        byte[] tar = LayoutBuilder.tarOf(layout);
        Path archive = Files.write(tmp.resolve("image.tar"), tar);
        assertEquals(0, create(archive, tmp.resolve("b1")).status());
        assertEquals("archived", Files.readString(tmp.resolve("b1/rootfs/marker")));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(tar);
        }
        Path compressed = Files.write(tmp.resolve("image.tar.gz"), gz.toByteArray());
        Cli.Result r = create(compressed, tmp.resolve("b2"));
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(tmp.resolve("b2/rootfs/marker")));
        assertFalse(Files.exists(tmp.resolve("b2/.source.tar")));
        Files.write(tmp.resolve("cut.tar"), Arrays.copyOf(tar, tar.length / 2));
        r = create(tmp.resolve("cut.tar"), tmp.resolve("b3"));
        assertEquals(1, r.status(), r.err());
        assertNothingLeft(tmp.resolve("b3"));

        // A Docker archive: manifest.json, the config and the layer named by their digests.
        byte[] layer = smallLayer("docker");
        String diff = LayoutBuilder.sha256(layer);
        Map<String, Object> cfg = Map.of("architecture", "amd64", "os", "linux",
                "config", Map.of("Cmd", List.of("sh")), "rootfs", Map.of("type", "layers", "diff_ids", List.of(diff)));
        byte[] cfgJson = LayoutBuilder.json(cfg);
        String cfgName = LayoutBuilder.sha256(cfgJson).substring(7) + ".json";
        String layerName = diff.substring(7) + ".tar";
        Path docker = Files.createDirectories(tmp.resolve("docker"));
        Files.write(docker.resolve(cfgName), cfgJson);
        Files.write(docker.resolve(layerName), layer);
        Files.write(docker.resolve("manifest.json"), LayoutBuilder.json(List.of(Map.of("Config", cfgName,
                "RepoTags", List.of("localhost/d:latest"), "Layers", List.of(layerName)))));
        Path dockerTar = Files.write(tmp.resolve("docker.tar"), LayoutBuilder.tarOf(docker));
        r = create(dockerTar, tmp.resolve("b4"), "--ref", "d");
        assertEquals(0, r.status(), r.err());
        assertEquals("docker", Files.readString(tmp.resolve("b4/rootfs/marker")));
        // A manifest.json that points outside the archive is refused before anything is read.
        Files.write(docker.resolve("manifest.json"), LayoutBuilder.json(List.of(Map.of("Config", cfgName,
                "Layers", List.of("../../etc/shadow")))));
        r = create(docker, tmp.resolve("b5"));
        assertTrue(r.err().contains("not a path inside the archive"), r.err());
    }

    @Test
    void existingBundleIsNotTouched() throws Exception {
        Path layout = new LayoutBuilder(tmp.resolve("layout")).layer(smallLayer("m"), Compression.NONE).write("x");
        Path bundle = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(bundle.resolve("keep"), "k");
        Cli.Result r = create(layout, bundle);
        assertEquals(1, r.status());
        assertTrue(r.err().contains("not empty"), r.err());
        assertEquals("k", Files.readString(bundle.resolve("keep")));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, create(layout, empty).status());
        assertTrue(Files.exists(empty.resolve("rootfs/marker")));
    }

    @Test
    void usageErrors() {
        assertEquals(2, Cli.run(tmp, "bundle", "create", "--max-size", "lots", "a", "b").status());
        assertEquals(2, Cli.run(tmp, "bundle", "create", "--platform", "amd64", "a", "b").status());
        assertEquals(2, Cli.run(tmp, "bundle", "create", "a").status());
        assertEquals(2, Cli.run(tmp, "bundle").status());
        Cli.Result help = Cli.run(tmp, "bundle", "create", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--ref"), help.out());
    }
}
