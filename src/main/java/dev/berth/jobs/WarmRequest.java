package dev.berth.jobs;

import dev.berth.mirror.MirroredRepository;
import dev.berth.oci.Reference;

/** One image of a warm job as the user wrote it, and the mirrored repository and reference it resolved to. */
public record WarmRequest(String image, MirroredRepository mirrored, Reference reference) {
    /** The name the image is cached under, which the access rules judge. */
    public String repository() {
        return mirrored.name().value();
    }
}
