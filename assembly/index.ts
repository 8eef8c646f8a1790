// The core's ABI: numbers in, numbers out (docs/ABI.md). Nothing but re-exports.
export {
  mapNew as map_new, mapFollow as map_follow, mapClose as map_close, mapData as map_data,
  mapLength as map_length, mapAccess as map_access, mapWritable as map_writable,
  mapLimit as map_limit, mapSetLimit as map_set_limit, mapTakeDirty as map_take_dirty, mapUndoPos as map_undo_pos, openCount as open_count, scratch,
  read, readByte as read_byte, readline, write, writeByte as write_byte, seek, tell, find,
  getItem as get_item, setItem as set_item, getSlice as get_slice, setSlice as set_slice, move,
  flush, madvise, resizePrepare as resize_prepare, resizeAbort as resize_abort,
  resizeCommit as resize_commit, OUT as out,
  findAll as find_all, linesBlock as lines_block, mapAdvance as map_advance,
} from './mmap';
export { setAddressBias as set_address_bias, freePages as free_pages } from './region';
