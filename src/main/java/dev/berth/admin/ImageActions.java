package dev.berth.admin;

import dev.berth.budget.PinStore;
import dev.berth.oci.Digest;
import dev.berth.oci.OciError;
import dev.berth.oci.Reference;
import dev.berth.oci.RegistryException;
import dev.berth.oci.RepoName;
import dev.berth.registry.LocalRegistry;
import dev.berth.registry.Repository;
import dev.berth.registry.WritableRepository;
import java.util.List;
import java.util.Optional;

/**
 * What an administrator does to stored images: delete a tag or an image (by digest, with its tags), pin and unpin a
 * tag. It works on the stored repository directly, so a cached mirrored image can be deleted (the mirror itself is
 * read-only to clients); the next pull fetches it again. The blobs go with the next garbage collection.
 */
public final class ImageActions {
    private final LocalRegistry local;
    private final PinStore pins;
    private final RepositoryCatalog catalog;

    /** Over the repositories stored in {@code local} and the pins of {@code pins}; deletes refresh {@code catalog}. */
    public ImageActions(LocalRegistry local, PinStore pins, RepositoryCatalog catalog) {
        this.local = local;
        this.pins = pins;
        this.catalog = catalog;
    }

    /** Deletes the tag of the stored repository {@code name} and its pin; MANIFEST_UNKNOWN when there is none. */
    public void deleteTag(RepoName name, String tag) {
        WritableRepository repository = existing(name);
        repository.deleteManifest(new Reference.Tag(tag));
        pins.unpin(name, tag);
        catalog.invalidate();
    }

    /** Deletes the manifest {@code digest} and the tags on it, and their pins; MANIFEST_UNKNOWN when absent. */
    public void deleteImage(RepoName name, Digest digest) {
        WritableRepository repository = existing(name);
        repository.manifest(new Reference.ByDigest(digest));
        List<String> tags = repository.tags().stream()
                .filter(tag -> pointsAt(repository, tag, digest)).toList();
        repository.deleteManifest(new Reference.ByDigest(digest));
        tags.forEach(tag -> pins.unpin(name, tag));
        catalog.invalidate();
    }

    /** Pins a tag that is stored; MANIFEST_UNKNOWN otherwise. {@code by} is who asked. */
    public void pin(RepoName name, String tag, Optional<String> by) {
        existing(name).manifest(new Reference.Tag(tag));
        pins.pin(name, tag, by.orElse("anonymous"));
    }

    /** Unpins a tag; MANIFEST_UNKNOWN when it was not pinned. */
    public void unpin(RepoName name, String tag) {
        if (!pins.unpin(name, tag)) {
            throw new RegistryException(OciError.MANIFEST_UNKNOWN, name + ":" + tag + " is not pinned");
        }
    }

    private WritableRepository existing(RepoName name) {
        // As the administrator: immutable tags are deleted here, and only here.
        WritableRepository repository = local.administered(name);
        repository.tags();
        return repository;
    }

    private static boolean pointsAt(Repository repository, String tag, Digest digest) {
        try {
            return repository.manifest(new Reference.Tag(tag)).digest().equals(digest);
        } catch (RegistryException e) {
            return false;
        }
    }
}
