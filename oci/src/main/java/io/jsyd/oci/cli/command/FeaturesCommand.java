package io.jsyd.oci.cli.command;

import io.jsyd.oci.cli.BuildInfo;
import io.jsyd.oci.cli.Invocation;
import io.jsyd.oci.cli.Verb;
import io.jsyd.oci.features.FeatureSet;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.runtime.seccomp.LibseccompVersion;
import java.io.PrintStream;
import picocli.CommandLine.Command;

@Command(name = "features", description = {"print what this runtime implements, as the runtime-spec features JSON",
        "It lists only what jsyd-oci really does; absent or false means not (yet) supported."})
public final class FeaturesCommand implements Verb {
    @Override
    public int run(Invocation invocation) {
        FeatureSet features = FeatureSet.current(BuildInfo.version(),
                LibseccompVersion.installed().map(LibseccompVersion::toString),
                java.util.Optional.of(io.jsyd.runtime.landlock.LandlockProbe.system().probe()));
        PrintStream out = invocation.request().out();
        out.println(SpecJson.pretty(features.document()));
        out.flush();
        return 0;
    }
}
