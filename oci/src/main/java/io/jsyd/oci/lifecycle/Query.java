package io.jsyd.oci.lifecycle;

import io.jsyd.oci.ContainerStateException;
import io.jsyd.oci.OciException;
import io.jsyd.oci.OciIoException;
import io.jsyd.oci.UsageException;
import io.jsyd.oci.cli.Request;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.state.ContainerRecord;
import io.jsyd.oci.state.StateStore;
import io.jsyd.oci.state.Status;
import io.jsyd.runtime.cgroup.CgroupManager;
import io.jsyd.runtime.linux.FileLock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** `state`, `list` and `ps`: what runc prints, in its field order. */
public final class Query {
    private Query() {
    }

    /** One container's state as runc's `state` and `list --format json` give it. */
    private static ObjectNode stateJson(StateStore store, ContainerRecord r) {
        Status status = store.status(r);
        ObjectNode o = SpecJson.mapper().createObjectNode();
        o.put("ociVersion", r.ociVersion());
        o.put("id", r.id());
        o.put("pid", status == Status.STOPPED ? 0 : r.pid());
        o.put("status", status.word());
        o.put("bundle", r.bundle());
        o.put("rootfs", r.rootfs());
        o.put("created", r.created());
        // a container its sandbox supervisor ended says why (timeout, exit action, the supervisor's death)
        String stopped = io.jsyd.oci.supervise.StopReason.of(store.dir(r.id()));
        if (!r.annotations().isEmpty() || stopped != null) {
            ObjectNode a = o.putObject("annotations");
            r.annotations().forEach(a::put);
            if (stopped != null) {
                a.put(io.jsyd.oci.supervise.StopReason.STATE_ANNOTATION, stopped);
            }
        }
        o.put("owner", r.owner());
        return o;
    }

    public static void state(Request request, Path root, String id) throws OciException {
        StateStore store = new StateStore(root);
        try (FileLock lock = store.lock(id)) {
            request.out().println(SpecJson.pretty(stateJson(store, store.read(id))));
        }
    }

    public static void list(Request request, Path root, String format, boolean quiet) throws OciException {
        StateStore store = new StateStore(root);
        List<ObjectNode> states = new ArrayList<>();
        for (String id : store.ids()) {
            try {
                states.add(stateJson(store, store.read(id)));
            } catch (ContainerStateException gone) {
                // deleted meanwhile, or still being created: not listed (runc skips it too)
            }
        }
        if (quiet) {
            states.forEach(s -> request.out().println(s.get("id").asString()));
            return;
        }
        switch (format) {
            case "json" -> {
                ArrayNode a = SpecJson.mapper().createArrayNode();
                states.forEach(a::add);
                // runc encodes a nil slice: an empty list prints null
                request.out().println(states.isEmpty() ? "null" : SpecJson.compact(a));
            }
            case "table" -> {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"));
                for (ObjectNode s : states) {
                    rows.add(List.of(s.get("id").asString(), s.get("pid").asString(), s.get("status").asString(),
                            s.get("bundle").asString(), s.get("created").asString(), s.get("owner").asString()));
                }
                request.out().print(table(rows));
            }
            default -> throw new UsageException("invalid format option");
        }
    }

    /** Go's tabwriter as runc sets it up: minimum width 12, padding 3, spaces. */
    static String table(List<List<String>> rows) {
        int cols = rows.getFirst().size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int c = 0; c < cols - 1; c++) {
                width[c] = Math.max(width[c], Math.max(12, row.get(c).length() + 3));
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                String cell = row.get(c);
                b.append(cell);
                if (c < cols - 1) {
                    b.append(" ".repeat(width[c] - cell.length()));
                }
            }
            b.append('\n');
        }
        return b.toString();
    }

    /** --format json: the pids; table: `ps` with the given arguments, only the container's lines. */
    public static void ps(Request request, Path root, String id, String format, List<String> psArgs) throws OciException {
        StateStore store = new StateStore(root);
        List<Integer> pids;
        try (FileLock lock = store.lock(id)) {
            ContainerRecord r = store.read(id);
            CgroupManager cgroup = StateStore.cgroup(r);
            if (cgroup == null) {
                pids = Status.initAlive(r) ? List.of(r.pid()) : List.of();
            } else {
                pids = cgroup.pids();
            }
        }
        switch (format) {
            case "json" -> {
                ArrayNode a = SpecJson.mapper().createArrayNode();
                pids.forEach(a::add);
                request.out().println(SpecJson.compact(a));
            }
            case "table" -> request.out().print(psTable(psArgs.isEmpty() ? List.of("-ef") : psArgs, new TreeSet<>(pids)));
            default -> throw new UsageException("invalid format option");
        }
    }

    private static String psTable(List<String> args, Set<Integer> pids) throws OciIoException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ps");
        cmd.addAll(args);
        String out;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (p.waitFor() != 0) {
                throw new OciIoException("run ps " + String.join(" ", args), Path.of("ps"), new IOException(out.strip()));
            }
        } catch (IOException e) {
            throw new OciIoException("run ps", Path.of("ps"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OciIoException("run ps", Path.of("ps"), new IOException("interrupted"));
        }
        String[] lines = out.split("\n");
        int pidCol = List.of(lines[0].trim().split("\\s+")).indexOf("PID");
        if (pidCol < 0) {
            throw new OciIoException("read ps output", Path.of("ps"), new IOException("no PID column in: " + lines[0]));
        }
        StringBuilder b = new StringBuilder(lines[0]).append('\n');
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            try {
                if (f.length > pidCol && pids.contains(Integer.parseInt(f[pidCol]))) {
                    b.append(lines[i]).append('\n');
                }
            } catch (NumberFormatException e) {
                // not a process line
            }
        }
        return b.toString();
    }
}
