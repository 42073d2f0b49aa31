import { Command } from 'commander';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('ferry');
  program.description('Daemonless OCI image tool').version('0.1.0');
  await program.parseAsync(argv);
}
