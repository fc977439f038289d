package io.jsyd.oci.image;

import io.jsyd.oci.defaults.DefaultSpec;
import io.jsyd.oci.spec.model.Process;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.User;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The bundle's config.json from an image config, by the image spec's
 * conversion rules (conversion.md), on top of `jsyd-oci spec`'s defaults:
 * Entrypoint + Cmd become the args, Env the environment (PATH and HOME added
 * only when the image sets none), WorkingDir the cwd, User the resolved ids;
 * os, architecture, author, created, StopSignal and ExposedPorts become the
 * spec's annotations, Labels win over them.
 *
 * <p>Departures from the defaults, for a bundle made from an image: no
 * terminal (run it detached from any tty; `jsyd-oci run` has none yet) and a
 * writable root, as images expect (umoci and podman do the same).
 */
public final class RuntimeConfig {
    static final String VOLUMES = "io.jsyd.oci.image.volumes";
    /** Our own annotation namespaces: an image label must not be able to set runtime policy. */
    static final List<String> OWN_PREFIXES = List.of("io.jsyd.", "org.jsyd.");
    private static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private RuntimeConfig() {
    }

    /**
     * @param rootless null for the standard config, else the caller's uid and gid for the rootless variant
     * @param warn receives one line per thing the user should know about the result
     */
    static Spec convert(ImageConfig image, UserLookup.Resolved user, long[] rootless, Consumer<String> warn) {
        Spec spec = rootless == null ? DefaultSpec.standard() : DefaultSpec.rootless(rootless[0], rootless[1]);
        spec.getRoot().setReadonly(false);
        Process process = spec.getProcess();
        process.setTerminal(false);

        List<String> args = new ArrayList<>(image.entrypoint());
        args.addAll(image.cmd());
        if (args.isEmpty()) {
            warn.accept("the image has no Entrypoint or Cmd: config.json runs " + process.getArgs()
                    + "; edit process.args to run something else");
        } else {
            process.setArgs(args);
        }

        List<String> env = new ArrayList<>(image.env());
        if (env.stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.addFirst(DEFAULT_PATH);
        }
        if (env.stream().noneMatch(e -> e.startsWith("HOME=")) && user.home().isPresent()) {
            env.add("HOME=" + user.home().get());
        }
        process.setEnv(env);

        String cwd = image.workingDir().isEmpty() ? "/" : image.workingDir();
        process.setCwd(cwd.startsWith("/") ? cwd : "/" + cwd);

        User u = new User();
        u.setUid(user.uid());
        u.setGid(user.gid());
        if (!user.additionalGids().isEmpty()) {
            u.setAdditionalGids(new ArrayList<>(user.additionalGids()));
        }
        process.setUser(u);
        if (rootless != null && (user.uid() != 0 || user.gid() != 0)) {
            warn.accept("the image runs as " + user.uid() + ":" + user.gid() + ", which the rootless config maps to "
                    + "no host id (only 0 is mapped); add uidMappings/gidMappings for it");
        }

        spec.setAnnotations(annotations(image, warn));
        return spec;
    }

    static Map<String, String> annotations(ImageConfig image, Consumer<String> warn) {
        Map<String, String> a = new LinkedHashMap<>();
        put(a, "org.opencontainers.image.os", image.platform().os());
        put(a, "org.opencontainers.image.architecture", image.platform().architecture());
        put(a, "org.opencontainers.image.variant", image.platform().variant());
        put(a, "org.opencontainers.image.os.version", image.osVersion());
        put(a, "org.opencontainers.image.os.features", String.join(",", image.osFeatures()));
        put(a, "org.opencontainers.image.author", image.author());
        put(a, "org.opencontainers.image.created", image.created());
        put(a, "org.opencontainers.image.stopSignal", image.stopSignal());
        put(a, "org.opencontainers.image.exposedPorts", String.join(",", image.exposedPorts()));
        put(a, VOLUMES, String.join(",", image.volumes()));
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, String> label : image.labels().entrySet()) {
            if (OWN_PREFIXES.stream().anyMatch(label.getKey()::startsWith)) {
                dropped.add(label.getKey());
            } else {
                a.put(label.getKey(), label.getValue());
            }
        }
        if (!dropped.isEmpty()) {
            warn.accept("image labels " + dropped + " were not copied into the annotations: keys under "
                    + String.join(" and ", OWN_PREFIXES) + " configure jsyd-oci itself and must come from you, not from an image");
        }
        return a;
    }

    private static void put(Map<String, String> a, String key, String value) {
        if (value != null && !value.isEmpty()) {
            a.put(key, value);
        }
    }
}
