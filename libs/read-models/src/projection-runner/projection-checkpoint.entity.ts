import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'projection_checkpoints' })
export class ProjectionCheckpoint {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'commit_position', type: 'numeric', precision: 20 })
  commitPosition!: string;

  @Column({ name: 'prepare_position', type: 'bigint' })
  preparePosition!: string;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
