package io.jsyd.oci.run;

import io.jsyd.oci.spec.SpecJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A bundle for a real container: a busybox rootfs of its own and the config that
 * `runc spec` (runc 1.1.5) writes, without a terminal, changed by the case.
 */
final class RunBundle {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final String RUNC_SPEC = "/io/jsyd/oci/validate/runc-spec.json";
    private static final List<String> APPLETS = applets();

    final Path dir;
    final Path rootfs;
    final ObjectNode config;

    private RunBundle(Path dir, ObjectNode config) {
        this.dir = dir;
        this.rootfs = dir.resolve("rootfs");
        this.config = config;
    }

    static boolean busyboxAvailable() {
        return Files.isExecutable(BUSYBOX);
    }

    /** A bundle whose process is `sh -c SCRIPT`. */
    static RunBundle create(Path dir, String script) {
        ObjectNode config;
        try (InputStream in = RunBundle.class.getResourceAsStream(RUNC_SPEC)) {
            config = (ObjectNode) SpecJson.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RunBundle b = new RunBundle(dir, config);
        ObjectNode process = (ObjectNode) config.get("process");
        process.put("terminal", false);
        b.args("sh", "-c", script);
        b.makeRootfs();
        return b;
    }

    private static List<String> applets() {
        try {
            Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
            List<String> names = new String(p.getInputStream().readAllBytes()).lines()
                    .filter(n -> !n.equals("busybox") && !n.isBlank()).toList();
            p.waitFor();
            return names;
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private void makeRootfs() {
        try {
            for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "etc", "root", "home/u")) {
                Files.createDirectories(rootfs.resolve(d));
            }
            Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
            for (String applet : APPLETS) {
                Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.writeString(rootfs.resolve("etc/passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1001:user:/home/u:/bin/sh\n");
            Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nu:x:1001:\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectNode process() {
        return (ObjectNode) config.get("process");
    }

    ObjectNode linux() {
        return (ObjectNode) config.get("linux");
    }

    RunBundle args(String... args) {
        ArrayNode a = process().putArray("args");
        for (String s : args) {
            a.add(s);
        }
        return this;
    }

    /** RFC 7386 merge patch: objects merge, null removes, anything else replaces. */
    RunBundle merge(String patch) {
        merge(config, SpecJson.mapper().readTree(patch));
        return this;
    }

    RunBundle addMount(String json) {
        ((ArrayNode) config.get("mounts")).add(SpecJson.mapper().readTree(json));
        return this;
    }

    RunBundle removeMounts(Predicate<JsonNode> which) {
        ArrayNode mounts = (ArrayNode) config.get("mounts");
        for (int i = mounts.size() - 1; i >= 0; i--) {
            if (which.test(mounts.get(i))) {
                mounts.remove(i);
            }
        }
        return this;
    }

    RunBundle withoutCgroupMount() {
        return removeMounts(m -> "cgroup".equals(m.path("type").asString()));
    }

    /** A namespace to add (path null: a new one), or to replace when the type is listed already. */
    RunBundle namespace(String type, String path) {
        ArrayNode ns = (ArrayNode) linux().get("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (type.equals(ns.get(i).path("type").asString())) {
                ns.remove(i);
            }
        }
        ObjectNode n = ns.addObject().put("type", type);
        if (path != null) {
            n.put("path", path);
        }
        return this;
    }

    RunBundle withoutNamespace(String type) {
        ArrayNode ns = (ArrayNode) linux().get("namespaces");
        for (int i = ns.size() - 1; i >= 0; i--) {
            if (type.equals(ns.get(i).path("type").asString())) {
                ns.remove(i);
            }
        }
        return this;
    }

    /** A user namespace mapping container 0..65535 to host 100000.., the rootfs owned by it. */
    RunBundle mappedUserNamespace() {
        namespace("user", null);
        merge("""
                {"linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
                           "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}}""");
        chownRootfs(100000);
        return this;
    }

    void chownRootfs(int id) {
        try (var walk = Files.walk(rootfs)) {
            for (Path p : walk.toList()) {
                Files.setAttribute(p, "unix:uid", id, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", id, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file below the rootfs, with its parents. */
    RunBundle file(String path, String content) {
        try {
            Path p = rootfs.resolve(path.substring(1));
            Files.createDirectories(p.getParent());
            Files.writeString(p, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    RunBundle dir(String path) {
        try {
            Files.createDirectories(rootfs.resolve(path.substring(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    void write() {
        try {
            Files.writeString(dir.resolve("config.json"), SpecJson.pretty(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : new ArrayList<>(patch.properties())) {
            JsonNode value = e.getValue();
            JsonNode current = target.get(e.getKey());
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, value);
            } else {
                target.set(e.getKey(), value);
            }
        }
    }
}
