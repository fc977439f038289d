package io.jsyd.oci.cli.command;

import io.jsyd.oci.OciException;
import io.jsyd.oci.cli.GoDuration;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "events", description = "print the container's events (OOM) and resource statistics")
public final class EventsCommand implements Verb {
    @Option(names = "--interval", paramLabel = "<duration>", defaultValue = "5s", converter = GoDuration.class,
            description = "time between statistics (Go syntax: 5s, 1m30s); default: ${DEFAULT-VALUE}")
    Duration interval;

    @Option(names = "--stats", description = "print the statistics once and exit")
    boolean stats;

    @Parameters(index = "0", paramLabel = "<container-id>")
    String id;

    @Override
    public int run(Invocation invocation) throws OciException {
        if (!interval.isPositive()) {
            throw new io.jsyd.oci.UsageException("duration interval must be greater than 0");
        }
        io.jsyd.oci.state.Existence.require(invocation.flags().root(), id);
        io.jsyd.oci.lifecycle.Events.events(invocation.request(), invocation.flags().root(), id, stats, interval);
        return 0;
    }
}
