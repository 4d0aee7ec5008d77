package dev.berth.mirror;

import static dev.berth.support.MockHub.blobPath;
import static dev.berth.support.MockHub.manifestPath;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.oci.MediaTypes;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Multi-arch images: the index (or Docker manifest list) is served exactly as Hub sent it, and the platform
 * manifests and blobs it lists are fetched only when a client asks for them.
 */
class MultiArchTest extends MirrorTestBase {
    private static final String ACCEPT_ALL = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    @Test
    void ociIndexIsServedVerbatimAndChildrenAreFetchedOnDemand() {
        MockHub.Image amd64 = hub.image(BUSYBOX, null, 1);
        MockHub.Image arm64 = hub.image(BUSYBOX, null, 2);
        byte[] index = MockHub.index(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, amd64, arm64);
        hub.manifest(BUSYBOX, "latest", index, MediaTypes.OCI_INDEX);

        assertManifest(client.get("/v2/busybox/manifests/latest", "Accept", ACCEPT_ALL), index, MediaTypes.OCI_INDEX);
        assertEquals(0, hub.count("GET", manifestPath(BUSYBOX, amd64.ref())), "no platform manifest until asked");
        assertEquals(0, hub.count("GET", manifestPath(BUSYBOX, arm64.ref())));

        // The client picks its platform: that manifest and its blobs are fetched, the other platform's never.
        assertManifest(client.get("/v2/busybox/manifests/" + amd64.ref(), "Accept", ACCEPT_ALL), amd64.manifest(),
                MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", amd64);
        assertEquals(1, hub.served("GET", manifestPath(BUSYBOX, amd64.ref())));
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, amd64.config())));
        assertEquals(1, hub.served("GET", blobPath(BUSYBOX, amd64.layers().get(0))));
        assertEquals(0, hub.count("GET", manifestPath(BUSYBOX, arm64.ref())));
        assertEquals(0, hub.count("GET", blobPath(BUSYBOX, arm64.config())));
        assertEquals(0, hub.count("GET", blobPath(BUSYBOX, arm64.layers().get(0))));

        // All of it is cached now.
        int asked = hub.requests();
        assertManifest(client.get("/v2/busybox/manifests/latest"), index, MediaTypes.OCI_INDEX);
        assertManifest(client.get("/v2/busybox/manifests/" + amd64.ref()), amd64.manifest(), MediaTypes.OCI_MANIFEST);
        assertBlobs("busybox", amd64);
        assertEquals(asked, hub.requests());
    }

    @Test
    void dockerManifestListIsServedVerbatimWithItsMediaType() {
        byte[] config = TestData.utf8("{\"architecture\":\"arm64\"}");
        byte[] layer = TestData.bytes(5000, 3);
        byte[] child = TestData.utf8("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" + MediaTypes.DOCKER_MANIFEST
                + "\",\n   \"config\": " + TestData.descriptor("application/vnd.docker.container.image.v1+json", config)
                + ",\n   \"layers\": [" + TestData.descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip", layer)
                + "]\n}");
        hub.blob(BUSYBOX, config);
        hub.blob(BUSYBOX, layer);
        MockHub.Image arm64 = new MockHub.Image(BUSYBOX, child,
                hub.manifest(BUSYBOX, null, child, MediaTypes.DOCKER_MANIFEST), config, List.of(layer));
        byte[] list = MockHub.index(MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST, arm64);
        hub.manifest(BUSYBOX, "1.36", list, MediaTypes.DOCKER_MANIFEST_LIST);

        assertManifest(client.get("/v2/busybox/manifests/1.36", "Accept", ACCEPT_ALL), list,
                MediaTypes.DOCKER_MANIFEST_LIST);
        assertEquals(0, hub.count("GET", manifestPath(BUSYBOX, arm64.ref())));

        assertManifest(client.get("/v2/busybox/manifests/" + arm64.ref(), "Accept", ACCEPT_ALL), child,
                MediaTypes.DOCKER_MANIFEST);
        assertBlobs("busybox", arm64);
        assertEquals(1, hub.served("GET", manifestPath(BUSYBOX, arm64.ref())));
    }
}
