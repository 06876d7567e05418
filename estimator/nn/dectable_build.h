/* Building, checking and caching decoder tables (estimator/nn/dectable_build.c, dectable_cache.c). */
#ifndef SEMG_NN_DECTABLE_BUILD_H
#define SEMG_NN_DECTABLE_BUILD_H

#include "estimator/nn/decoder.h"
#include "estimator/nn/dectable.h"
#include "estimator/nn/dectable_model.h"

/* Build (collective: the nodes are shared among the ranks of comm) or read from opt->cache. */
PETSC_EXTERN PetscErrorCode SemgDecTableCreate(MPI_Comm comm, const SemgDecTableOptions *opt, SemgDecoder *dec, SemgDecTable *tab);
/* With dec->spec.table.use (-dec_table) builds (or reads) the table and makes dec use it. Collective. */
PETSC_EXTERN PetscErrorCode SemgDecoderUseTable(MPI_Comm comm, SemgDecoder *dec);
/* err = max over nlat random latents (seeded) of max |y_table - y_model| / max |y_model|, y the decoder's
   channels. Collective (latents shared among the ranks); creates the table's model when it was released. */
PETSC_EXTERN PetscErrorCode SemgDecTableCheck(MPI_Comm comm, SemgDecTable tab, SemgDecoder *dec, PetscInt nlat, uint64_t seed, PetscReal *err);
/* Cache DIR/dectable-KEY.h5: found only when the file's key, shape and version match (a stale or
   foreign file is reported in one line and rebuilt over). Save: rank 0, temporary name + rename. */
PETSC_EXTERN PetscErrorCode SemgDecTableCacheLoad(MPI_Comm comm, SemgDecTable tab, PetscBool *found);
PETSC_EXTERN PetscErrorCode SemgDecTableCacheSave(MPI_Comm comm, SemgDecTable tab);

#endif
