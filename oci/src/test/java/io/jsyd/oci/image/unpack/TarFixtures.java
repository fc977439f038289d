package io.jsyd.oci.image.unpack;

import io.jsyd.oci.image.TarBuilderAccess;
import java.util.function.Consumer;

final class TarFixtures {
    private TarFixtures() {
    }

    static byte[] tar(Consumer<TarBuilderAccess> body) {
        TarBuilderAccess t = new TarBuilderAccess();
        body.accept(t);
        return t.build();
    }
}
