package io.jsyd.oci.lifecycle;

import io.jsyd.oci.spec.SpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A bundle for seccomp tests: `runc spec`'s config (no terminal), a busybox rootfs
 * with the seccomp probe (runtime/src/test/c/seccomp-probe.c, built static) at
 * /probe, and the host directory {@code out} bound at /out for the results.
 */
final class SeccompBundle {
    static final Path BUSYBOX = Path.of("/bin/busybox");

    final Path dir;
    final Path out;
    final ObjectNode config;

    private SeccompBundle(Path dir, Path out, ObjectNode config) {
        this.dir = dir;
        this.out = out;
        this.config = config;
    }

    static ObjectNode resource(String name) {
        try (InputStream in = SeccompBundle.class.getResourceAsStream(name)) {
            return (ObjectNode) SpecJson.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The probe built once into {@code dir}; null without gcc and static glibc. */
    static Path buildProbe(Path dir) throws IOException, InterruptedException {
        Path source = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && source == null; d = d.getParent()) {
            Path candidate = d.resolve("runtime/src/test/c/seccomp-probe.c");
            source = Files.isRegularFile(candidate) ? candidate : null;
        }
        if (source == null) {
            return null;
        }
        Path binary = dir.resolve("seccomp-probe");
        Process p = new ProcessBuilder("gcc", "-std=gnu11", "-O1", "-static", "-pthread", "-o", binary.toString(),
                source.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0 ? binary : null;
    }

    static SeccompBundle create(Path dir, Path probe, JsonNode seccomp, String script) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "etc", "out")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "cat", "echo", "ls", "mkdir", "unshare", "true", "sleep")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.copy(probe, rootfs.resolve("probe"));
        Path out = Files.createDirectories(dir.resolve("out"));
        ObjectNode config = resource("/spec/generated/runc-spec.json");
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        ArrayNode args = process.putArray("args");
        args.add("/bin/sh").add("-c").add(script);
        ObjectNode mount = ((ArrayNode) config.get("mounts")).addObject();
        mount.put("destination", "/out").put("type", "bind").put("source", out.toString());
        mount.putArray("options").add("rbind").add("rw");
        ((ObjectNode) config.get("linux")).set("seccomp", seccomp);
        SeccompBundle b = new SeccompBundle(dir, out, config);
        b.write();
        return b;
    }

    void write() throws IOException {
        Files.writeString(dir.resolve("config.json"), SpecJson.pretty(config));
    }

    String read(String name) throws IOException {
        Path f = out.resolve(name);
        return Files.exists(f) ? Files.readString(f).strip() : "<missing>";
    }
}
