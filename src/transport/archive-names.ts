/**
 * The image names a docker-archive holds (every image's RepoTags), read without opening
 * one image of it: what `list-tags docker-archive:PATH` prints.
 */
export { listArchiveTags } from './docker-archive/list-tags.js';
